// Prompt template families by the accounts that send them: redacted example, chain-of-thought share, rarity weight.
// Parameters: none
MATCH (f:TemplateFamily)
RETURN f.family_id AS family_id, f.accounts AS accounts, f.requests AS requests, f.cot AS cot,
       f.cot_share AS cot_share, f.weight AS weight, f.first_batch AS first_batch, f.last_batch AS last_batch,
       f.example AS example
ORDER BY f.weight * f.accounts DESC, f.requests DESC
LIMIT 100
