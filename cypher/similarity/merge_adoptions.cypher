// Similarity stage: when each account first asked each model (the earliest time over every batch stays), for the
// synchrony of switching to a newly released model. $rows: account_id, model, first_used (epoch milliseconds).
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
MERGE (m:Model {name: row.model})
MERGE (a)-[r:ADOPTED]->(m)
WITH r, datetime({epochMillis: row.first_used}) AS used
SET r.first_used = CASE WHEN r.first_used IS NULL OR used < r.first_used THEN used ELSE r.first_used END
