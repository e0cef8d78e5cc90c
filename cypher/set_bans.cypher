// Loaders: accounts the batch says are already banned.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
SET a.banned = true,
    a.banned_at = coalesce(row.banned_at, a.banned_at),
    a.ban_reason = coalesce(row.reason, a.ban_reason)
