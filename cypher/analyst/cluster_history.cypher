// One cluster across runs: its bans, reviews, community size and event (new, grown, merged, split…: counted on
// its bans and reviews) each night.
// Parameters: cluster_id (string)
// Example: linkage query run cluster_history -p cluster_id=C-0001
// :param cluster_id => 'C-0001';
MATCH (c:Cluster {cluster_id: $cluster_id})-[s:SEEN_IN]->(r:Run)
RETURN r.run_id AS run_id, r.batch AS batch, r.started_at AS started_at, s.bans AS bans, s.reviews AS reviews,
       s.size AS community_size, s.status AS status
ORDER BY r.started_at
