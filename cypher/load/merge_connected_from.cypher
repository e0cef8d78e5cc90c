// Loaders: one batch's sessions of an account from an IP, aggregated (first_seen, last_seen, count).
// A batch adds to count and widens first/last seen once: loading the same batch again changes nothing.
// Timestamps arrive as epoch milliseconds (the driver's datetime packing halved write throughput).
UNWIND $rows AS row
WITH row, datetime({epochMillis: row.first_seen}) AS first_seen, datetime({epochMillis: row.last_seen}) AS last_seen
MATCH (a:Account {account_id: row.account_id})
MATCH (i:IP {address: row.ip})
MERGE (a)-[r:CONNECTED_FROM]->(i)
ON CREATE SET r.first_seen = first_seen, r.last_seen = last_seen, r.count = row.count, r.batches = [$batch]
ON MATCH SET r += CASE WHEN $batch IN r.batches THEN {} ELSE {
  first_seen: CASE WHEN first_seen < r.first_seen THEN first_seen ELSE r.first_seen END,
  last_seen: CASE WHEN last_seen > r.last_seen THEN last_seen ELSE r.last_seen END,
  count: r.count + row.count,
  batches: r.batches + $batch
} END
