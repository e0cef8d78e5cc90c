// Per account and shared value: how many accounts of its own community share that value, and the value's
// evidence weight. Counted per (value, community), so the cost is linear in the edges, never pairwise.
CALL () {
  MATCH (a:Account)-[r:PAID_WITH|USED_DEVICE|CONNECTED_FROM|EMAIL_AT|USES_TEMPLATE]->(v)
  WHERE v.link_weight > 0 AND a.community IS NOT NULL
  RETURN a, type(r) AS signal, v
  UNION
  MATCH (a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  WHERE v.link_weight > 0 AND a.community IS NOT NULL
  RETURN a, 'IN_SUBNET' AS signal, v
}
WITH signal, v, a.community AS community, collect(a.account_id) AS members
WHERE size(members) >= 2
UNWIND members AS account_id
RETURN account_id, signal,
       coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       size(members) AS shared_in_community, v.link_accounts AS value_accounts, v.link_weight AS weight
