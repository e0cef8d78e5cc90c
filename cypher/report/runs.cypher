// The report's decisions per night: every finished run before $run_id, oldest first, with its counts (the run's
// own come from its run.json: its report is written before it is recorded as finished).
MATCH (this:Run {run_id: $run_id})
MATCH (r:Run)
WHERE r.finished_at IS NOT NULL AND r.started_at < this.started_at
RETURN r.run_id AS run_id, r.batch AS batch, toString(r.started_at) AS started_at, r.bans AS bans,
       r.reviews AS reviews, r.clusters AS clusters
ORDER BY r.started_at
