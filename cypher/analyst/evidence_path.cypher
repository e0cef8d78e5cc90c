// The shortest evidence path between two accounts: the accounts and shared values (cards, IPs, subnets, devices,
// e-mail domains, template families, near-duplicate prompt links) that connect them, one row per step, at most
// 8 links long. No row: nothing connects them that closely. Kinds are the reasons' (account, payment, network,
// device, email, template; reached_by also similar_prompts).
// Parameters: from_account (string), to_account (string)
// Example: linkage query run evidence_path -p from_account=farm-01 -p to_account=farm-02
// :param from_account => 'farm-01';
// :param to_account => 'farm-02';
WITH {PaymentMethod: 'payment', IP: 'network', Subnet: 'network', Device: 'device', EmailDomain: 'email',
      TemplateFamily: 'template'} AS kind_of
MATCH (a:Account {account_id: $from_account}), (b:Account {account_id: $to_account})
MATCH path = shortestPath((a)-[:PAID_WITH|CONNECTED_FROM|IN_SUBNET|USED_DEVICE|EMAIL_AT|USES_TEMPLATE|SIMILAR_PROMPTS*..8]-(b))
UNWIND range(0, length(path)) AS step
WITH kind_of, path, step, nodes(path)[step] AS n
RETURN step, coalesce(kind_of[labels(n)[0]], 'account') AS kind,
       coalesce(n.account_id, n.fingerprint, n.address, n.cidr, n.device_id, n.domain, n.family_id) AS value,
       CASE WHEN step = 0 THEN null
            WHEN type(relationships(path)[step - 1]) = 'SIMILAR_PROMPTS' THEN 'similar_prompts'
            ELSE kind_of[labels(CASE WHEN n:Account THEN nodes(path)[step - 1] ELSE n END)[0]]
       END AS reached_by,
       n.decision AS decision, n.cluster_id AS cluster_id, n.link_accounts AS accounts, n.link_weight AS weight
ORDER BY step
