// Every account's use of a value that at least two accounts use: cards, devices, IPs, subnets (through the IPs),
// disposable e-mail domains and template families (whole templates and segments), with the account's org, its e-mail
// domain when that is not a disposable one (and how many accounts use it: an organisation's own domain can stand for
// an org id), its habit (how it asks) and sign-up time, and whether the value may never be evidence (allowlisted, or
// an address that does not route on the internet: routable = false). What linkage/detect/evidence.py weighs; a value
// used by one account links nobody and is not read.
CALL () {
  MATCH (v:PaymentMethod) WHERE COUNT { (v)<-[:PAID_WITH]-(:Account) } >= 2
  MATCH (a:Account)-[:PAID_WITH]->(v)
  RETURN a, v, 'payment' AS kind, v.fingerprint AS value
  UNION ALL
  MATCH (v:Device) WHERE COUNT { (v)<-[:USED_DEVICE]-(:Account) } >= 2
  MATCH (a:Account)-[:USED_DEVICE]->(v)
  RETURN a, v, 'device' AS kind, v.device_id AS value
  UNION ALL
  MATCH (v:IP) WHERE COUNT { (v)<-[:CONNECTED_FROM]-(:Account) } >= 2
  MATCH (a:Account)-[:CONNECTED_FROM]->(v)
  RETURN a, v, 'network' AS kind, v.address AS value
  UNION ALL
  MATCH (v:Subnet) WHERE COUNT { (v)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(:Account) } >= 2
  MATCH (a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v)
  WITH DISTINCT a, v
  RETURN a, v, 'network' AS kind, v.cidr AS value
  UNION ALL
  MATCH (v:EmailDomain {disposable: true}) WHERE COUNT { (v)<-[:EMAIL_AT]-(:Account) } >= 2
  MATCH (a:Account)-[:EMAIL_AT]->(v)
  RETURN a, v, 'email' AS kind, v.domain AS value
  UNION ALL
  MATCH (v:TemplateFamily) WHERE COUNT { (v)<-[:USES_TEMPLATE]-(:Account) } >= 2
  MATCH (a:Account)-[:USES_TEMPLATE]->(v)
  RETURN a, v, 'template' AS kind, v.family_id AS value
}
OPTIONAL MATCH (a)-[:EMAIL_AT]->(d:EmailDomain)
WITH a, v, kind, value, CASE WHEN coalesce(d.disposable, false) THEN null ELSE d END AS d
RETURN a.account_id AS account_id, elementId(v) AS node, kind, value, a.org_id AS org,
       coalesce(v.allowlisted, false) OR NOT coalesce(v.routable, true) AS never_evidence,
       a.created_at.epochSeconds AS created_s, d.domain AS domain,
       CASE WHEN d IS NULL THEN 0 ELSE COUNT { (d)<-[:EMAIL_AT]-() } END AS domain_accounts, a.prompt_habit AS habit
