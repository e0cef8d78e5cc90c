// Similarity stage: the SIMILAR_PROMPTS links (account_a < account_b) with score, evidence families and source.
MATCH (a:Account)-[r:SIMILAR_PROMPTS]->(b:Account)
RETURN a.account_id AS account_a, b.account_id AS account_b, r.score AS score, r.families AS families,
       r.source AS source
ORDER BY account_a, account_b
