// How many accounts of the whole graph ask with each habit (linkage/similarity/features.py: request gaps, output and
// prompt lengths to a power of two): the sizes a shared habit is weighed against.
MATCH (a:Account)
WHERE a.prompt_habit IS NOT NULL
WITH a.prompt_habit AS habit, count(*) AS accounts
WHERE accounts >= 2
RETURN habit, accounts
