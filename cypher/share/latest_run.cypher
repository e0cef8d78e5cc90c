// Indicators export: the last run that finished, whose bans a bundle tells of when no run or cluster is named.
MATCH (r:Run)
WHERE r.finished_at IS NOT NULL
RETURN r.run_id AS run_id
ORDER BY r.started_at DESC
LIMIT 1
