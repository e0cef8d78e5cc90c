// Loaders: which e-mail domain an account signed up with (its accounts and domains exist already).
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (d:EmailDomain {domain: row.email_domain})
MERGE (a)-[:EMAIL_AT]->(d)
