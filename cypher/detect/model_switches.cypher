// Model switches (CopyCatch's lockstep): every account that took up a model at least $window_seconds after its
// first request of any model, with the window it switched in (window number = epoch seconds / $window_seconds).
MATCH (a:Account)-[earliest:ADOPTED]->(:Model)
WITH a, min(earliest.first_used) AS began
MATCH (a)-[r:ADOPTED]->(m:Model)
WHERE r.first_used >= began + duration({seconds: $window_seconds})
RETURN a.account_id AS account_id, m.name AS model, r.first_used.epochSeconds / $window_seconds AS window
