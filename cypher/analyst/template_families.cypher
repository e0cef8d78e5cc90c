// Prompt template families by the accounts that send them, with their evidence weight: the figures explain,
// the reasons and cluster_families show (accounts linked to the family in the graph, tonight's link_weight; the
// similarity stage's own rarity weight is not shown). Requests are the last batch's; the example is redacted.
// Parameters: none
// Example: linkage query run template_families
MATCH (f:TemplateFamily)
RETURN f.family_id AS family_id, COUNT { (f)<-[:USES_TEMPLATE]-(:Account) } AS accounts, f.link_weight AS weight,
       f.requests AS requests_last_batch, f.cot AS cot, f.cot_share AS cot_share, f.first_batch AS first_batch,
       f.last_batch AS last_batch, f.example AS example
ORDER BY coalesce(weight, 0.0) * accounts DESC, accounts DESC, family_id
LIMIT 100
