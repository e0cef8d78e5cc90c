// What the members of one cluster share, most shared first: cards, IPs, subnets (through the IPs), devices,
// e-mail domains, template families, with how many accounts use each in all and its evidence weight.
// Parameters: cluster_id (string)
// Example: linkage query run cluster_infrastructure -p cluster_id=C-0001
// :param cluster_id => 'C-0001';
CALL () {
  MATCH (a:Account {cluster_id: $cluster_id})-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
  RETURN a, type(r) AS kind, v
  UNION
  MATCH (a:Account {cluster_id: $cluster_id})-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  RETURN a, 'IN_SUBNET' AS kind, v
}
WITH kind, v, count(DISTINCT a) AS members
WHERE members >= 2
RETURN kind, coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       members, v.link_accounts AS accounts_in_all, v.link_weight AS weight
ORDER BY members DESC, weight DESC, value
LIMIT 100
