// Loaders: upsert accounts with their email domain and organisation. Only a keyed hash of the email is stored.
// first_batch is set once; re-loading the same batch leaves every property as it was.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch
SET a.created_at = coalesce(row.created_at, a.created_at),
    a.email_hash = coalesce(row.email_hash, a.email_hash),
    a.country = coalesce(row.country, a.country),
    a.org_id = coalesce(row.org_id, a.org_id),
    a.last_batch = $batch
FOREACH (domain IN CASE WHEN row.email_domain IS NULL THEN [] ELSE [row.email_domain] END |
  MERGE (d:EmailDomain {domain: domain})
  SET d.disposable = row.disposable
  MERGE (a)-[:EMAIL_AT]->(d))
FOREACH (org IN CASE WHEN row.org_id IS NULL THEN [] ELSE [row.org_id] END |
  MERGE (o:Org {org_id: org})
  MERGE (a)-[:MEMBER_OF]->(o))
