// Loaders: accounts the batch says are already banned.
// Timestamps arrive as epoch milliseconds (the driver's datetime packing halved write throughput).
UNWIND $rows AS row
WITH row, CASE WHEN row.banned_at IS NOT NULL THEN datetime({epochMillis: row.banned_at}) END AS banned_at
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
SET a.banned = true,
    a.banned_at = coalesce(banned_at, a.banned_at),
    a.ban_reason = coalesce(row.reason, a.ban_reason)
