// A cluster's prompt template families: how many of its members send each, what share of their requests, how
// many accounts send it in all, its evidence weight, chain-of-thought share and redacted example.
// Parameters: cluster_id (string)
// Example: linkage query run cluster_families -p cluster_id=C-0001
// :param cluster_id => 'C-0001';
MATCH (a:Account {cluster_id: $cluster_id})-[u:USES_TEMPLATE]->(f:TemplateFamily)
WITH f, count(DISTINCT a) AS members, avg(u.share) AS mean_share, sum(u.requests) AS requests
RETURN f.family_id AS family_id, members, round(mean_share, 3) AS mean_share, requests,
       COUNT { (f)<-[:USES_TEMPLATE]-(:Account) } AS accounts, f.link_weight AS weight, f.cot_share AS cot_share,
       f.example AS example
ORDER BY members DESC, requests DESC, family_id
LIMIT 50
