// Tonight's live clusters, largest and highest-scoring first.
// Parameters: none
// Example: linkage query run top_clusters
MATCH (c:Cluster)
WHERE NOT c.status IN ['dissolved', 'absorbed']
RETURN c.cluster_id AS cluster_id, c.size AS size, c.score AS score, c.signals AS signals, c.status AS status,
       c.first_seen_run AS first_seen_run
ORDER BY size DESC, score DESC, cluster_id
LIMIT 50
