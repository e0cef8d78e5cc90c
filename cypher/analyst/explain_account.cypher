// Everything behind one account's decision: its state, prompt features, cluster, and every value it shares.
// Parameters: account_id (string)
MATCH (a:Account {account_id: $account_id})
OPTIONAL MATCH (a)-[:IN_CLUSTER]->(c:Cluster)
CALL (a) {
  CALL (a) {
    MATCH (a)-[r:PAID_WITH|USED_DEVICE|CONNECTED_FROM|EMAIL_AT|USES_TEMPLATE|MEMBER_OF]->(v)
    RETURN type(r) AS signal, v
    UNION
    MATCH (a)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
    RETURN 'IN_SUBNET' AS signal, v
  }
  OPTIONAL MATCH (v)<-[]-(m:Account)
  WHERE m <> a AND m.cluster_id IS NOT NULL AND m.cluster_id = a.cluster_id
  WITH signal, v, count(DISTINCT m) AS in_cluster
  RETURN collect({
    signal: signal,
    value: coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id, v.org_id),
    accounts: v.link_accounts,
    weight: v.link_weight,
    shared_in_cluster: in_cluster
  }) AS shared
}
CALL (a) {
  OPTIONAL MATCH (a)-[s:SIMILAR_PROMPTS]-(b:Account)
  RETURN count(b) AS similar_accounts, max(s.score) AS max_similarity
}
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, a.reasons AS reasons,
       a.cluster_id AS cluster_id, c.size AS cluster_size, c.status AS cluster_status, c.signals AS cluster_signals,
       a.community AS community, a.created_at AS created_at, coalesce(a.banned, false) AS banned_in_batch,
       coalesce(a.allowlisted, false) AS allowlisted, a.decided_run AS decided_run,
       a.prompt_requests AS prompt_requests, a.prompt_cot_share AS cot_share,
       a.prompt_template_concentration AS template_concentration, a.prompt_output_tokens AS output_tokens,
       coalesce(a.kinds, 0) AS kinds, coalesce(a.evidence_kinds, []) AS evidence_kinds,
       coalesce(a.evidence_strengths, []) AS evidence_strengths, a.community_size AS community_size,
       a.missed AS missed, similar_accounts, max_similarity, shared
