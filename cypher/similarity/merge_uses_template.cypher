// Similarity stage: which accounts sent prompts of which template family, with how many requests and what share.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
WITH a, row
MATCH (f:TemplateFamily {family_id: row.family_id})
MERGE (a)-[r:USES_TEMPLATE]->(f)
SET r.requests = row.requests,
    r.share = row.share,
    r.batch = $batch
