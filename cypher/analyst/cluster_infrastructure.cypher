// What the members of one cluster share, most shared first: cards, IPs, subnets, devices, domains, templates.
// Parameters: cluster_id (string)
MATCH (a:Account {cluster_id: $cluster_id})-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
WITH type(r) AS kind, v, count(DISTINCT a) AS members
WHERE members >= 2
RETURN kind, coalesce(v.fingerprint, v.address, v.device_id, v.domain, v.family_id) AS value,
       members, v.link_accounts AS accounts_in_all, v.link_weight AS weight
ORDER BY members DESC, weight DESC
LIMIT 100
