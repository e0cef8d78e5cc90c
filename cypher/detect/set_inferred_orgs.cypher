// Tonight's orgs without an org id (linkage/detect/evidence.py: an e-mail domain of their own whose accounts share one
// card or one IP address): what `linkage explain` says of an account whose team's values weigh nothing between them.
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
SET a.inferred_org = row.domain
