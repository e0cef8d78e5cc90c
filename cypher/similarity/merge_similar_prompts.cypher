// Similarity stage: account-account links from shared rare template families (account_a < account_b), by source.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_a})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
MERGE (b:Account {account_id: row.account_b})
ON CREATE SET b.first_batch = $batch, b.last_batch = $batch
MERGE (a)-[r:SIMILAR_PROMPTS {source: $source}]->(b)
SET r.score = row.score,
    r.families = row.families,
    r.batch = $batch
