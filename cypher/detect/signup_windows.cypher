// How many accounts of the whole graph signed up in each window of $window_seconds (window number = epoch
// seconds of created_at divided by the window): the sizes sign-up synchrony is weighed against.
MATCH (a:Account)
WHERE a.created_at IS NOT NULL
WITH a.created_at.epochSeconds / $window_seconds AS window, count(*) AS accounts
WHERE accounts >= 2
RETURN window, accounts
