// Accounts not banned that share a card, IP, device, disposable e-mail domain or template family with banned
// accounts: what the ban list may have missed, most banned links first (values used by more than 1,000 accounts
// are left out). Kinds are the reasons' (payment, network, device, email, template).
// Parameters: none
// Example: linkage query run banned_neighbours
WITH {PaymentMethod: 'payment', IP: 'network', Subnet: 'network', Device: 'device', EmailDomain: 'email',
      TemplateFamily: 'template'} AS kind_of
MATCH (b:Account)-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
WHERE (b.decision = 'ban' OR coalesce(b.banned, false)) AND coalesce(v.link_accounts, 0) <= 1000
  AND (NOT v:EmailDomain OR v.disposable)
MATCH (v)<-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]-(a:Account)
WHERE coalesce(a.decision, '') <> 'ban' AND NOT coalesce(a.banned, false)
WITH a, count(DISTINCT v) AS shared_values, count(DISTINCT b) AS banned_accounts,
     collect(DISTINCT kind_of[labels(v)[0]]) AS kinds,
     collect(DISTINCT b.cluster_id)[0..3] AS banned_clusters
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, shared_values, banned_accounts, kinds,
       banned_clusters
ORDER BY shared_values DESC, banned_accounts DESC, account_id
LIMIT 100
