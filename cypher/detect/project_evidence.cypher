// Project the account evidence graph for GDS: accounts linked to the values they share (a bipartite star per
// value, so a value shared by thousands adds thousands of edges, never millions of pairs), plus direct
// SIMILAR_PROMPTS edges. An edge weighs what its value weighs tonight (linkage/detect/evidence.py: how well the
// sharing is corroborated by sharing of another kind, less its org's share); a SIMILAR_PROMPTS edge its score.
CALL () {
  MATCH (a:Account)-[:PAID_WITH|USED_DEVICE|CONNECTED_FROM|EMAIL_AT|USES_TEMPLATE]->(v)
  WHERE v.link_weight > 0
  RETURN a AS source, v AS target, v.link_weight AS weight
  UNION ALL
  MATCH (a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(s:Subnet)
  WHERE s.link_weight > 0
  WITH DISTINCT a, s
  RETURN a AS source, s AS target, s.link_weight AS weight
  UNION ALL
  MATCH (a:Account)-[r:SIMILAR_PROMPTS]->(b:Account)
  RETURN a AS source, b AS target, r.score AS weight
}
WITH source, target, weight WHERE weight > 0
RETURN gds.graph.project(
  $graph_name, source, target,
  {sourceNodeLabels: labels(source), targetNodeLabels: labels(target), relationshipProperties: {weight: weight}},
  {undirectedRelationshipTypes: ['*']}
)
