// The review queue: every account a run sent to review, with what a ban would still need (`missed`: each condition
// it misses and by how much), its community's size and its output tokens, ranked by expected harm (the community's
// size times the account's output tokens: a big group harvesting much is looked at first).
MATCH (a:Account {decision: 'review'})
OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
WITH a, c, coalesce(a.community_size, 1) AS size, coalesce(a.prompt_output_tokens, 0) AS output_tokens
RETURN a.account_id AS account_id, a.cluster_id AS cluster_id, a.score AS score, coalesce(a.kinds, 0) AS kinds,
       size AS community_size, output_tokens, size * output_tokens AS harm, a.missed AS missed,
       a.reasons AS reasons, coalesce(a.reason_records, '[]') AS reason_json
ORDER BY harm DESC, account_id
LIMIT $limit
