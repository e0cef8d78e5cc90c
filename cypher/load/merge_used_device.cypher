// Loaders: one batch's sessions of an account on a device, aggregated like CONNECTED_FROM (idempotent per batch).
// Timestamps arrive as epoch milliseconds (the driver's datetime packing halved write throughput).
UNWIND $rows AS row
WITH row, datetime({epochMillis: row.first_seen}) AS first_seen, datetime({epochMillis: row.last_seen}) AS last_seen
MATCH (a:Account {account_id: row.account_id})
MATCH (d:Device {device_id: row.device_id})
MERGE (a)-[r:USED_DEVICE]->(d)
ON CREATE SET r.first_seen = first_seen, r.last_seen = last_seen, r.count = row.count, r.batches = [$batch]
ON MATCH SET r += CASE WHEN $batch IN r.batches THEN {} ELSE {
  first_seen: CASE WHEN first_seen < r.first_seen THEN first_seen ELSE r.first_seen END,
  last_seen: CASE WHEN last_seen > r.last_seen THEN last_seen ELSE r.last_seen END,
  count: r.count + row.count,
  batches: r.batches + $batch
} END
