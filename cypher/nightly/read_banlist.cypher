// The current decisions as the ban list: every account with a ban or review decision and its evidence (sentences,
// and the same as JSON records: kind, value, members, total, weight, sentence).
MATCH (a:Account)
WHERE a.decision IN ['ban', 'review']
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, a.cluster_id AS cluster_id,
       a.reasons AS reasons, coalesce(a.reason_records, '[]') AS reason_json
ORDER BY decision, score DESC, account_id
