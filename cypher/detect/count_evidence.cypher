// Size of the evidence graph the detection stage is about to project: accounts and evidence values as
// nodes, account-value links and SIMILAR_PROMPTS as relationships (upper bounds: subnets counted by IP link).
CALL () { MATCH (a:Account) RETURN count(a) AS accounts }
CALL () {
  MATCH (v) WHERE v.link_weight > 0
  RETURN count(v) AS values
}
CALL () {
  MATCH (:Account)-[r:PAID_WITH|USED_DEVICE|CONNECTED_FROM|EMAIL_AT|USES_TEMPLATE|SIMILAR_PROMPTS]->()
  RETURN count(r) AS links
}
RETURN accounts + values AS node_count, 2 * links AS relationship_count
