// The report's "what changed": each cluster seen in run $run_id or ended by it (dissolved, or absorbed into a
// merge), with its size and event that night, its size on the previous night it was seen, and its parents.
MATCH (this:Run {run_id: $run_id})
OPTIONAL MATCH (before:Run)-[:NEXT]->(this)
CALL (this, before) {
  MATCH (c:Cluster)-[s:SEEN_IN]->(this)
  OPTIONAL MATCH (c)-[p:SEEN_IN]->(before)
  RETURN c.cluster_id AS cluster_id, s.status AS status, s.size AS size, p.size AS previous_size,
         c.parents AS parents, null AS absorbed_into
  UNION
  MATCH (c:Cluster {last_seen_run: before.run_id})-[p:SEEN_IN]->(before)
  WHERE c.status IN ['dissolved', 'absorbed']
  RETURN c.cluster_id AS cluster_id, c.status AS status, 0 AS size, p.size AS previous_size, null AS parents,
         c.absorbed_into AS absorbed_into
}
RETURN cluster_id, status, size, previous_size, parents, absorbed_into
ORDER BY status, size DESC, cluster_id
