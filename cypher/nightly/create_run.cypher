// One Run node per nightly run (or detection), linked to the last run that finished: a run that failed or
// crashed half-way is never the previous one. Returns that run's counts (all null when there is none).
OPTIONAL MATCH (previous:Run)
WHERE previous.finished_at IS NOT NULL
WITH previous ORDER BY previous.started_at DESC LIMIT 1
CREATE (r:Run {run_id: $run_id, batch: $batch, started_at: datetime($started_at), config_hash: $config_hash})
FOREACH (p IN CASE WHEN previous IS NULL THEN [] ELSE [previous] END | CREATE (p)-[:NEXT]->(r))
RETURN previous.run_id AS run_id, previous.bans AS bans, previous.reviews AS reviews, previous.clusters AS clusters
