// Accounts not banned that share a card, IP, subnet, device or template family with accounts that are:
// banned in a batch (`banned`) or by an earlier run (`decision = 'ban'`), with the share of the value's users
// that are banned (a value mostly used by a banned network is its infrastructure). Drives respawn detection. A ban
// reversed on appeal (`linkage appeal --reverse`) counts for nothing here.
CALL () {
  MATCH (b:Account)-[r:PAID_WITH|USED_DEVICE|CONNECTED_FROM|USES_TEMPLATE]->(v)
  WHERE (coalesce(b.banned, false) OR b.decision = 'ban') AND NOT coalesce(b.reversed, false) AND v.link_weight > 0
  RETURN CASE type(r) WHEN 'PAID_WITH' THEN 'payment' WHEN 'USED_DEVICE' THEN 'device'
                      WHEN 'CONNECTED_FROM' THEN 'network' ELSE 'template' END AS kind, v, b
  UNION
  MATCH (b:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  WHERE (coalesce(b.banned, false) OR b.decision = 'ban') AND NOT coalesce(b.reversed, false) AND v.link_weight > 0
  RETURN 'network' AS kind, v, b
}
WITH kind, v, count(DISTINCT b) AS banned_accounts, max(b.cluster_id) AS banned_cluster
CALL (v) {
  MATCH (a:Account)-[:PAID_WITH|USED_DEVICE|CONNECTED_FROM|USES_TEMPLATE]->(v)
  RETURN a
  UNION
  MATCH (a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v)
  RETURN a
}
WITH a, kind, v, banned_accounts, banned_cluster
WHERE NOT coalesce(a.banned, false) AND coalesce(a.decision, '') <> 'ban'
RETURN a.account_id AS account_id, kind,
       coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.family_id) AS value,
       v.link_accounts AS value_accounts,
       toFloat(banned_accounts) / v.link_accounts AS banned_share,
       banned_cluster
