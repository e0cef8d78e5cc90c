// The picture of one cluster: each member's link to every value at least two members share (cards, IPs, subnets
// through the IPs, devices, e-mail domains, template families), with the member's decision and score and the
// value's evidence weight. At most $max_accounts members, the most connected first (those linked to the most
// shared values); members_linked says how many there are in all.
// Parameters: cluster_id (string), max_accounts (integer)
// Example: linkage query run cluster_picture -p cluster_id=C-0001 -p max_accounts=300
// :param cluster_id => 'C-0001';
// :param max_accounts => 300;
MATCH (c:Cluster {cluster_id: $cluster_id})
// rank the members by how many shared values they use, keeping only counts (a 29,000-account proxy farm has
// millions of member-value pairs: kept as maps, they outgrew the database's transaction memory)
CALL (c) {
  MATCH (a:Account)-[:IN_CLUSTER]->(c)
  MATCH (a)-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
  RETURN a, v
  UNION ALL
  MATCH (a:Account)-[:IN_CLUSTER]->(c)
  MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  RETURN a, v
}
WITH c, v, collect(DISTINCT a) AS members
WHERE size(members) >= 2
UNWIND members AS a
WITH c, a, count(*) AS shared
ORDER BY shared DESC, a.account_id
WITH c, collect(a) AS ranked
WITH c, ranked[..$max_accounts] AS top, size(ranked) AS members_linked
// then draw the links of the top members only: to each value another member uses too
UNWIND top AS a
CALL (a) {
  MATCH (a)-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
  RETURN type(r) AS link, v
  UNION
  MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  RETURN 'IN_SUBNET' AS link, v
}
WITH c, link, v, collect(a) AS users, members_linked
WHERE size(users) >= 2
   OR EXISTS { (v)<-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]-(b:Account)-[:IN_CLUSTER]->(c)
               WHERE b <> users[0] }
   OR EXISTS { (v:Subnet)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(b:Account)-[:IN_CLUSTER]->(c) WHERE b <> users[0] }
UNWIND users AS a
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, link,
       coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       coalesce(v.disposable, false) AS disposable, v.link_accounts AS accounts, v.link_weight AS weight,
       members_linked
ORDER BY account_id, link, value
