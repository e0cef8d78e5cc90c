// Indicators export: the values at least two banned members of each cluster share (payment methods, routable IPs
// and subnets, template families and segments), with how many of its banned members use each, how many accounts use
// it in all and how many of those are banned (the share that decides whether it leaves). Allowlisted and
// non-routable values never leave.
// Parameters: cluster_ids (list of strings)
// :param cluster_ids => ['C-0001'];
UNWIND $cluster_ids AS cluster_id
CALL (cluster_id) {
  MATCH (a:Account {cluster_id: cluster_id, decision: 'ban'})-[:PAID_WITH|CONNECTED_FROM|USES_TEMPLATE]->(v)
  RETURN a, v
  UNION
  MATCH (a:Account {cluster_id: cluster_id, decision: 'ban'})-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  RETURN a, v
}
WITH cluster_id, v, count(DISTINCT a) AS members
WHERE members >= 2 AND coalesce(v.routable, true) AND NOT coalesce(v.allowlisted, false)
CALL (v) {
  MATCH (u:Account)-[:PAID_WITH|CONNECTED_FROM|USES_TEMPLATE]->(v)
  RETURN u
  UNION
  MATCH (u:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v)
  RETURN u
}
WITH cluster_id, v, members, count(u) AS users,
     count(CASE WHEN u.decision = 'ban' OR u.banned THEN 1 END) AS banned
RETURN cluster_id, labels(v)[0] AS label, coalesce(v.fingerprint, v.address, v.cidr, v.family_id) AS value,
       members, users, banned
ORDER BY cluster_id, label, value
