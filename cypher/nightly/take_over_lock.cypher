// Take the lock $name over from $dead, a holder whose process no longer exists (the caller found its pid gone on its
// own host), without waiting for its lease to run out; only if $dead still holds it. The first SET takes the node's
// write lock before its holder is read: of two runs taking over at once, the second reads the first as the holder
// and is refused. Returns who holds the lock and until when, as nightly/acquire_lock does.
MATCH (l:Lock {name: $name})
SET l.claimed = true
WITH l
WITH l, l.holder = $dead AS dead
SET l += CASE WHEN dead THEN {holder: $holder, host: $host, pid: $pid, acquired_at: datetime(),
                              expires_at: datetime() + duration({seconds: $ttl})} ELSE {} END
REMOVE l.claimed
RETURN l.holder = $holder AS acquired, l.holder AS holder, l.host AS host, l.pid AS pid,
       toString(l.acquired_at) AS acquired_at, toString(l.expires_at) AS expires_at
