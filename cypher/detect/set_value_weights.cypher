// Tonight's evidence weight of every value at least two accounts use (linkage/detect/evidence.py): how many
// accounts use it, how well their sharing is corroborated by sharing of another kind, the share of its users in
// its largest org, and the weight the projection and the analysts read.
UNWIND $rows AS row
MATCH (v) WHERE elementId(v) = row.node
SET v.link_accounts = row.accounts,
    v.link_coherence = row.coherence,
    v.link_org_share = row.org_share,
    v.link_weight = row.weight
