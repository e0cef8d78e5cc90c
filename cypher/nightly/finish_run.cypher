// Record a finished run's summary (JSON text) and counts on its Run node.
MATCH (r:Run {run_id: $run_id})
SET r.finished_at = datetime(), r.summary = $summary, r.bans = $bans, r.reviews = $reviews, r.clusters = $clusters
