// Similarity stage: which accounts sent prompts of which template family, with how many requests and what share.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
WITH a, row
MATCH (f:TemplateFamily {family_id: row.family_id})
MERGE (a)-[r:USES_TEMPLATE]->(f)
SET r.requests = row.requests,
    r.share = row.share,
    r.batch = $batch
