// Accounts that share any value with one account, with how many values they share (values used by more than
// 1,000 accounts, a carrier NAT or a popular tool, are left out). Kinds are the reasons' (payment, network, device,
// email, template).
// Parameters: account_id (string)
// Example: linkage query run account_neighbours -p account_id=farm-01
// :param account_id => 'farm-01';
WITH {PaymentMethod: 'payment', IP: 'network', Subnet: 'network', Device: 'device', EmailDomain: 'email',
      TemplateFamily: 'template'} AS kind_of
MATCH (a:Account {account_id: $account_id})-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|USES_TEMPLATE]->(v)
      <-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|USES_TEMPLATE]-(b:Account)
WHERE b <> a AND v.link_accounts <= 1000
RETURN b.account_id AS account_id, b.cluster_id AS cluster_id, b.decision AS decision,
       count(DISTINCT v) AS shared_values, collect(DISTINCT kind_of[labels(v)[0]]) AS kinds
ORDER BY shared_values DESC, account_id
LIMIT 100
