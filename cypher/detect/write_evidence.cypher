// Tonight's evidence of every account that has any: the strength of each kind (payment, network, device, email,
// template, harvest), how many count, the combined score, its community's size, and what a ban would still need
// (empty for a ban). What `linkage explain` shows for an account with or without a decision.
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
SET a.score = row.score,
    a.kinds = row.kinds,
    a.evidence_kinds = row.evidence_kinds,
    a.evidence_strengths = row.evidence_strengths,
    a.community_size = row.community_size,
    a.missed = row.missed
