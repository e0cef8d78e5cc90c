// The lease that keeps two runs off one database: take (or renew) the lock $name for $holder, for $ttl seconds,
// unless another holder's lease is still alive. A lease that expired (its run crashed and stopped renewing it) is
// taken over. The first SET takes the node's write lock before its holder is read, so two runs asking at once are
// answered one after the other, never both yes. The holder's $host and $pid are kept, so that a run on the same host
// can tell that the holder's process is gone (nightly/take_over_lock). Returns who holds the lock and until when.
MERGE (l:Lock {name: $name})
SET l.claimed = true
WITH l
WITH l, l.holder = $holder AS mine, l.holder IS NULL OR l.expires_at < datetime() AS free
SET l += CASE WHEN free THEN {holder: $holder, host: $host, pid: $pid, acquired_at: datetime()} ELSE {} END,
    l.expires_at = CASE WHEN mine OR free THEN datetime() + duration({seconds: $ttl}) ELSE l.expires_at END
REMOVE l.claimed
RETURN l.holder = $holder AS acquired, l.holder AS holder, l.host AS host, l.pid AS pid,
       toString(l.acquired_at) AS acquired_at, toString(l.expires_at) AS expires_at
