// Tonight's clusters with their event (new, stable, grown, shrunk, merged, split) and the run that saw them: its
// bans and reviews, and the size of its whole community (the accounts around them with no decision included).
UNWIND $rows AS row
MATCH (r:Run {run_id: $run_id})
MERGE (c:Cluster {cluster_id: row.cluster_id})
ON CREATE SET c.first_seen_run = $run_id
SET c.size = row.size,
    c.bans = row.bans,
    c.reviews = row.reviews,
    c.score = row.score,
    c.signals = row.signals,
    c.status = row.status,
    c.parents = row.parents,
    c.last_seen_run = $run_id
MERGE (c)-[s:SEEN_IN]->(r)
SET s.size = row.size, s.bans = row.bans, s.reviews = row.reviews, s.status = row.status
