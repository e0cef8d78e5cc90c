// Loaders: the allowlist. Each rule is kept as an AllowRule node and flags what it names directly
// (an account, an org, an IP); CIDR rules flag IPs through set_ips_allowlisted.cypher.
UNWIND $rows AS row
MERGE (r:AllowRule {rule: row.rule})
SET r.kind = row.kind, r.value = row.value
FOREACH (_ IN CASE WHEN row.kind = 'account' THEN [1] ELSE [] END |
  MERGE (a:Account {account_id: row.value}) SET a.allowlisted = true)
FOREACH (_ IN CASE WHEN row.kind = 'org' THEN [1] ELSE [] END |
  MERGE (o:Org {org_id: row.value}) SET o.allowlisted = true)
FOREACH (_ IN CASE WHEN row.kind = 'ip' THEN [1] ELSE [] END |
  MERGE (i:IP {address: row.value}) SET i.allowlisted = true)
