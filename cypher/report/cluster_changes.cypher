// The report's "what changed": each cluster seen in run $run_id or ended by it (dissolved, or absorbed into a
// merge), with its event that night, its decided members (bans and reviews: what its event counts) that night
// and on the previous night it was seen, and its parents. (A night written before bans and reviews were counted
// apart has its community's size.)
MATCH (this:Run {run_id: $run_id})
OPTIONAL MATCH (before:Run)-[:NEXT]->(this)
CALL (this, before) {
  MATCH (c:Cluster)-[s:SEEN_IN]->(this)
  OPTIONAL MATCH (c)-[p:SEEN_IN]->(before)
  RETURN c.cluster_id AS cluster_id, s.status AS status, s.bans + s.reviews AS decided,
         CASE WHEN p.bans IS NULL THEN p.size ELSE p.bans + p.reviews END AS previous_decided,
         c.parents AS parents, null AS absorbed_into
  UNION
  MATCH (c:Cluster {last_seen_run: before.run_id})-[p:SEEN_IN]->(before)
  WHERE c.status IN ['dissolved', 'absorbed']
  RETURN c.cluster_id AS cluster_id, c.status AS status, 0 AS decided,
         CASE WHEN p.bans IS NULL THEN p.size ELSE p.bans + p.reviews END AS previous_decided, null AS parents,
         c.absorbed_into AS absorbed_into
}
RETURN cluster_id, status, decided, previous_decided, parents, absorbed_into
ORDER BY status, decided DESC, cluster_id
