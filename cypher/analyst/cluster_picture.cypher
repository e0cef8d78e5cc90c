// The picture of one cluster: each member's link to every value at least two members share (cards, IPs, subnets
// through the IPs, devices, e-mail domains, template families), with the member's decision and score and the
// value's evidence weight. At most $max_accounts members, the most connected first (those linked to the most
// shared values); members_linked says how many there are in all.
// Parameters: cluster_id (string), max_accounts (integer)
// Example: linkage query run cluster_picture -p cluster_id=C-0001 -p max_accounts=300
// :param cluster_id => 'C-0001';
// :param max_accounts => 300;
MATCH (c:Cluster {cluster_id: $cluster_id})
CALL (c) {
  MATCH (a:Account)-[:IN_CLUSTER]->(c)
  MATCH (a)-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
  RETURN a, type(r) AS link, v
  UNION
  MATCH (a:Account)-[:IN_CLUSTER]->(c)
  MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  RETURN a, 'IN_SUBNET' AS link, v
}
WITH link, v, collect(DISTINCT a) AS members
WHERE size(members) >= 2
UNWIND members AS a
WITH a, collect({link: link, v: v}) AS values
WITH collect({a: a, values: values}) AS linked
UNWIND linked AS member
WITH member, size(linked) AS members_linked
ORDER BY size(member.values) DESC, member.a.account_id
LIMIT $max_accounts
UNWIND member.values AS item
WITH member.a AS a, item.link AS link, item.v AS v, members_linked
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, link,
       coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       coalesce(v.disposable, false) AS disposable, v.link_accounts AS accounts, v.link_weight AS weight,
       members_linked
ORDER BY account_id, link, value
