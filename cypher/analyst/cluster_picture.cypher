// The drawing of one cluster: its members (the $max_accounts highest-scoring) and every value at least two
// of them share.
// Parameters: cluster_id (string), max_accounts (integer)
MATCH (a:Account)-[:IN_CLUSTER]->(:Cluster {cluster_id: $cluster_id})
WITH a ORDER BY a.score DESC LIMIT $max_accounts
MATCH (a)-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
WITH type(r) AS kind, v, collect({account_id: a.account_id, decision: a.decision}) AS members
WHERE size(members) >= 2
UNWIND members AS member
RETURN member.account_id AS account_id, member.decision AS decision, kind,
       coalesce(v.fingerprint, v.address, v.device_id, v.domain, v.family_id) AS value
