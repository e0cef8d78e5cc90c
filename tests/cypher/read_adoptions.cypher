// Similarity stage: when each account first asked each model.
MATCH (a:Account)-[r:ADOPTED]->(m:Model)
RETURN a.account_id AS account_id, m.name AS model, toString(r.first_used) AS first_used
ORDER BY account_id, model
