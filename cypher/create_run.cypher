// One Run node per nightly run (or detection), linked to the run before it.
OPTIONAL MATCH (previous:Run)
WITH previous ORDER BY previous.started_at DESC LIMIT 1
CREATE (r:Run {run_id: $run_id, batch: $batch, started_at: datetime($started_at), config_hash: $config_hash})
FOREACH (p IN CASE WHEN previous IS NULL THEN [] ELSE [previous] END | CREATE (p)-[:NEXT]->(r))
RETURN previous.run_id AS previous_run_id, previous.summary AS previous_summary
