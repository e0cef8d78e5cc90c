// What scoring needs to know of every account in a community: behaviour, prompt features, state, allowlist.
MATCH (a:Account)
WHERE a.community IS NOT NULL
OPTIONAL MATCH (a)-[:EMAIL_AT]->(d:EmailDomain)
OPTIONAL MATCH (a)-[:MEMBER_OF]->(o:Org)
CALL (a) {
  OPTIONAL MATCH (a)-[:CONNECTED_FROM]->(ip:IP)
  OPTIONAL MATCH (ip)-[:IN_SUBNET]->(s:Subnet)
  RETURN coalesce(max(coalesce(ip.allowlisted, false) OR coalesce(s.allowlisted, false)), false) AS network_allowlisted
}
CALL (a) {
  // expand from a first, then filter: planned as an index seek on b.community it turns quadratic in big communities
  OPTIONAL MATCH (a)-[r:SIMILAR_PROMPTS]-(b:Account)
  WITH a, b, max(r.score) AS score
  WITH a, b, score WHERE b.community = a.community
  RETURN count(b) AS similar_in_community, coalesce(max(score), 0.0) AS similar_score
}
RETURN a.account_id AS account_id,
       a.community AS community,
       a.component AS component,
       a.created_at.epochSeconds AS created_s,
       coalesce(d.disposable, false) AS disposable_email,
       d.domain AS email_domain,
       coalesce(a.prompt_requests, 0) AS prompt_requests,
       coalesce(a.prompt_cot_share, 0.0) AS cot_share,
       coalesce(a.prompt_template_concentration, 0.0) AS template_concentration,
       coalesce(a.prompt_output_tokens, 0) AS output_tokens,
       similar_in_community,
       similar_score,
       coalesce(a.banned, false) AS banned_in_batch,
       a.decision AS previous_decision,
       a.cluster_id AS previous_cluster_id,
       a.first_batch AS first_batch,
       coalesce(a.allowlisted, false) OR coalesce(o.allowlisted, false) OR network_allowlisted AS allowlisted
