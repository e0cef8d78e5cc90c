// Before tonight's orgs inferred from e-mail domains are written: drop last night's.
MATCH (a:Account)
WHERE a.inferred_org IS NOT NULL
REMOVE a.inferred_org
