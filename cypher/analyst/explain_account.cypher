// Everything behind one account's decision: its state, its reasons (the ban list's records, as JSON), prompt
// features, cluster (with its banned and reviewed members), and every value it uses with how many accounts use it,
// how many other members of its cluster do (a subnet through their IPs), the value's evidence weight (blank: not
// evidence tonight, e.g. a popular e-mail domain or a value only it uses), a template's redacted example and how many
// other accounts use it whose ban an appeal reversed; and what its cluster's ban would hit besides the farm.
// Parameters: account_id (string)
// Example: linkage query run explain_account -p account_id=farm-01
// :param account_id => 'farm-01';
MATCH (a:Account {account_id: $account_id})
OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
CALL (a, c) {
  CALL (a) {
    MATCH (a)-[r:PAID_WITH|USED_DEVICE|CONNECTED_FROM|EMAIL_AT|USES_TEMPLATE|MEMBER_OF]->(v)
    RETURN type(r) AS signal, v
    UNION
    MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
    RETURN 'IN_SUBNET' AS signal, v
  }
  CALL (a, c, signal, v) {
    OPTIONAL MATCH (m:Account)-[:IN_CLUSTER]->(c)
    WHERE m <> a AND CASE signal
      WHEN 'IN_SUBNET' THEN EXISTS { (m)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v) }
      ELSE EXISTS { (m)-->(v) }
    END
    RETURN count(m) AS in_cluster
  }
  RETURN collect({
    signal: signal,
    value: coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id, v.org_id),
    disposable: coalesce(v.disposable, false),
    accounts: CASE
      WHEN v.link_accounts IS NOT NULL THEN v.link_accounts
      WHEN signal = 'IN_SUBNET' THEN COUNT { MATCH (v)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(m:Account) RETURN DISTINCT m }
      ELSE COUNT { (v)<--(:Account) }
    END,
    weight: v.link_weight,
    shared_in_cluster: in_cluster,
    example: v.example,
    reversed: CASE
      WHEN signal = 'IN_SUBNET'
        THEN COUNT { MATCH (v)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(m:Account) WHERE m.reversed AND m <> a RETURN DISTINCT m }
      ELSE COUNT { MATCH (v)<--(m:Account) WHERE m.reversed AND m <> a RETURN DISTINCT m }
    END
  }) AS shared
}
CALL (a) {
  OPTIONAL MATCH (a)-[s:SIMILAR_PROMPTS]-(b:Account)
  RETURN count(b) AS similar_accounts, max(s.score) AS max_similarity
}
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, a.reason_records AS reason_records,
       a.cluster_id AS cluster_id, c.size AS cluster_size, c.status AS cluster_status, c.signals AS cluster_signals,
       coalesce(c.bans, 0) AS cluster_bans, coalesce(c.reviews, 0) AS cluster_reviews,
       a.community AS community, a.created_at AS created_at, coalesce(a.banned, false) AS banned_in_batch,
       coalesce(a.allowlisted, false) AS allowlisted, a.decided_run AS decided_run,
       a.prompt_requests AS prompt_requests, a.prompt_cot_share AS cot_share,
       a.prompt_template_concentration AS template_concentration, a.prompt_output_tokens AS output_tokens,
       coalesce(a.kinds, 0) AS kinds, coalesce(a.evidence_kinds, []) AS evidence_kinds,
       coalesce(a.evidence_strengths, []) AS evidence_strengths, a.community_size AS community_size,
       a.missed AS missed, a.inferred_org AS inferred_org, coalesce(a.reversed, false) AS reversed, similar_accounts,
       max_similarity, shared,
       CASE WHEN c.collateral IS NULL THEN null
            ELSE c {.collateral, .collateral_cards, .collateral_ips, .collateral_subnets, .collateral_devices,
                    .collateral_templates, .collateral_org, .collateral_traffic, .held} END AS collateral
