// Accounts first seen in a batch that already share a card, IP, device or template with banned accounts. A batch is
// named by its id, name@digest (the example batch's below; `linkage query run` names the ones the graph has).
// Parameters: batch (string)
// Example: linkage query run respawn_candidates -p batch=batch@d4d8b6489e5d
// :param batch => 'batch@d4d8b6489e5d';
MATCH (a:Account {first_batch: $batch})-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|USES_TEMPLATE]->(v)
      <-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|USES_TEMPLATE]-(b:Account)
WHERE coalesce(b.banned, false) OR b.decision = 'ban'
RETURN a.account_id AS account_id, a.decision AS decision, count(DISTINCT v) AS banned_values,
       collect(DISTINCT b.cluster_id)[0..3] AS banned_clusters
ORDER BY banned_values DESC, account_id
LIMIT 100
