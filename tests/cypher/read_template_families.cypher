// The similarity stage's own record of each template family (its accounts tonight and rarity weight), for tests
// that check the stage alone; analysts see the evidence weight instead (analyst/template_families).
MATCH (f:TemplateFamily)
RETURN f.family_id AS family_id, f.accounts AS accounts, f.requests AS requests, f.cot AS cot,
       f.cot_share AS cot_share, f.weight AS weight, f.first_batch AS first_batch, f.last_batch AS last_batch,
       f.example AS example
ORDER BY f.weight * f.accounts DESC, f.requests DESC
