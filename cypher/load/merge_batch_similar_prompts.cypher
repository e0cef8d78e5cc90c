// Loaders: prompt-similarity edges computed upstream and shipped in the batch (source 'batch', account_a < account_b).
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_a})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
MERGE (b:Account {account_id: row.account_b})
ON CREATE SET b.first_batch = $batch, b.last_batch = $batch
MERGE (a)-[r:SIMILAR_PROMPTS {source: 'batch'}]->(b)
SET r.score = row.score, r.batch = $batch
