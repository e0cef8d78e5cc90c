// Members of one cluster with their decision, score and prompt features.
// Parameters: cluster_id (string)
// Example: linkage query run cluster_members -p cluster_id=C-0001
// :param cluster_id => 'C-0001';
MATCH (a:Account)-[:IN_CLUSTER]->(c:Cluster {cluster_id: $cluster_id})
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, a.created_at AS created_at,
       a.prompt_requests AS requests, a.prompt_cot_share AS cot_share
ORDER BY score DESC, account_id
