// Indicators export (linkage/share/export.py): the clusters a bundle tells partners of, those a run saw with bans
// (or the one cluster named, if it had bans in any run), with the first and last run that saw them, their score and
// evidence, the size of their community and their banned members.
// Parameters: run_id (string or null), cluster_id (string or null)
// :param run_id => null;
// :param cluster_id => 'C-0001';
MATCH (c:Cluster)-[s:SEEN_IN]->(r:Run)
WHERE s.bans > 0 AND ($run_id IS NULL OR r.run_id = $run_id) AND ($cluster_id IS NULL OR c.cluster_id = $cluster_id)
WITH DISTINCT c
MATCH (c)-[:SEEN_IN]->(seen:Run)
WITH c, min(seen.started_at) AS first_seen, max(seen.started_at) AS last_seen
OPTIONAL MATCH (a:Account {decision: 'ban'})-[:IN_CLUSTER]->(c)
WITH c, first_seen, last_seen, a ORDER BY a.account_id
RETURN c.cluster_id AS cluster_id, c.score AS score, c.signals AS signals, c.size AS community_size,
       first_seen.epochMillis AS first_seen_ms, last_seen.epochMillis AS last_seen_ms,
       collect(a.account_id) AS banned
ORDER BY cluster_id
