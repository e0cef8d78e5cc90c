// What the members of one cluster share, most shared first: cards, IPs, subnets (through the IPs), devices,
// e-mail domains, template families, with how many accounts use each in all and its evidence weight. Kinds are the
// reasons' (payment, network, device, email, template).
// Parameters: cluster_id (string)
// Example: linkage query run cluster_infrastructure -p cluster_id=C-0001
// :param cluster_id => 'C-0001';
WITH {PaymentMethod: 'payment', IP: 'network', Subnet: 'network', Device: 'device', EmailDomain: 'email',
      TemplateFamily: 'template'} AS kind_of
CALL () {
  MATCH (a:Account {cluster_id: $cluster_id})-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
  RETURN a, v
  UNION
  MATCH (a:Account {cluster_id: $cluster_id})-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  RETURN a, v
}
WITH kind_of[labels(v)[0]] AS kind, v, count(DISTINCT a) AS members
WHERE members >= 2
RETURN kind, coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       members, v.link_accounts AS accounts_in_all, v.link_weight AS weight
ORDER BY members DESC, weight DESC, value
LIMIT 100
