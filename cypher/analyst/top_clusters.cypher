// Tonight's live clusters, most bans first: their bans, reviews and whole community (the accounts around them with
// no decision included), the score and signals of their decided members, their event and first run.
// Parameters: none
// Example: linkage query run top_clusters
MATCH (c:Cluster)
WHERE NOT c.status IN ['dissolved', 'absorbed']
RETURN c.cluster_id AS cluster_id, c.bans AS bans, c.reviews AS reviews, c.size AS community_size,
       c.score AS score, c.signals AS signals, c.status AS status, c.first_seen_run AS first_seen_run
ORDER BY bans DESC, reviews DESC, score DESC, cluster_id
LIMIT 50
