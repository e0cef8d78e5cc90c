// The accounts of a community that use a value a partner reported (`linkage indicators import`: a PartnerReport
// linked REPORTS to an IP, subnet, payment method or template family, marked at import and again before each
// night's detection), with the report's source, name and confidence: a lead for scoring (linkage/detect/scoring.py,
// join_partner_reports), never a kind of evidence. A subnet is used through an account's IPs.
MATCH (p:PartnerReport)-[:REPORTS]->(v)
CALL (v) {
  MATCH (a:Account)-[:PAID_WITH|CONNECTED_FROM|USES_TEMPLATE]->(v)
  RETURN a
  UNION
  MATCH (a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v)
  RETURN a
}
WITH a, p, v
WHERE a.community IS NOT NULL
RETURN a.account_id AS account_id, p.report_id AS report_id, p.name AS report,
       coalesce(p.source, p.source_id) AS source, p.confidence AS confidence,
       CASE labels(v)[0] WHEN 'PaymentMethod' THEN 'payment' WHEN 'TemplateFamily' THEN 'template' ELSE 'network' END
         AS kind,
       coalesce(v.address, v.cidr, v.fingerprint, v.family_id) AS value
ORDER BY account_id, report_id, kind, value
