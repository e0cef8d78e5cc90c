// Loaders: which account paid with which method; first_seen keeps the earliest sighting over all batches.
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (p:PaymentMethod {fingerprint: row.fingerprint})
MERGE (a)-[r:PAID_WITH]->(p)
SET r.first_seen = CASE
  WHEN r.first_seen IS NULL OR row.first_seen < r.first_seen THEN row.first_seen ELSE r.first_seen END
