// Loaders: upsert accounts. Only a keyed hash of the email is stored; its domain and the org are linked apart.
// first_batch is set once; re-loading the same batch leaves every property as it was.
// Timestamps arrive as epoch milliseconds (the driver's datetime packing halved write throughput).
UNWIND $rows AS row
WITH row, CASE WHEN row.created_at IS NOT NULL THEN datetime({epochMillis: row.created_at}) END AS created_at
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch
SET a.created_at = coalesce(created_at, a.created_at),
    a.email_hash = coalesce(row.email_hash, a.email_hash),
    a.country = coalesce(row.country, a.country),
    a.org_id = coalesce(row.org_id, a.org_id),
    a.last_batch = $batch
