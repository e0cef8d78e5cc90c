// Size of the evidence graph the detection stage is about to project: accounts and weighted values as nodes,
// links to weighted values and SIMILAR_PROMPTS as relationships (upper bounds: subnets counted by IP link).
// No weighted link at all means nothing to project.
CALL () { MATCH (a:Account) RETURN count(a) AS accounts }
CALL () {
  MATCH (v) WHERE v.link_weight > 0
  RETURN count(v) AS values
}
CALL () {
  MATCH (:Account)-[r:PAID_WITH|USED_DEVICE|CONNECTED_FROM|EMAIL_AT|USES_TEMPLATE]->(v)
  WHERE v.link_weight > 0 OR (v:IP AND EXISTS { (v)-[:IN_SUBNET]->(s:Subnet) WHERE s.link_weight > 0 })
  RETURN count(r) AS value_links
}
CALL () {
  MATCH (:Account)-[r:SIMILAR_PROMPTS]->(:Account) WHERE r.score > 0
  RETURN count(r) AS similar_links
}
RETURN accounts + values AS node_count, 2 * (value_links + similar_links) AS relationship_count
