// Loaders: which organisation an account belongs to (its accounts and orgs exist already).
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (o:Org {org_id: row.org_id})
MERGE (a)-[:MEMBER_OF]->(o)
