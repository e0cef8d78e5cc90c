// Loaders: which account paid with which method; first_seen keeps the earliest sighting over all batches.
// Timestamps arrive as epoch milliseconds (the driver's datetime packing halved write throughput).
UNWIND $rows AS row
WITH row, CASE WHEN row.first_seen IS NOT NULL THEN datetime({epochMillis: row.first_seen}) END AS first_seen
MATCH (a:Account {account_id: row.account_id})
MATCH (p:PaymentMethod {fingerprint: row.fingerprint})
MERGE (a)-[r:PAID_WITH]->(p)
SET r.first_seen = CASE
  WHEN r.first_seen IS NULL OR first_seen < r.first_seen THEN first_seen ELSE r.first_seen END
