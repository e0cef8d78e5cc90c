// Indicators import: link each PartnerReport to the values of the graph it names (REPORTS), so that an analyst and,
// later, detection see that a partner reported them. Each list holds {report_id, value} rows of one label; a value
// the graph does not hold is not created (the report keeps it).
CALL () {
  UNWIND $ips AS row
  MATCH (p:PartnerReport {report_id: row.report_id})
  MATCH (v:IP {address: row.value})
  MERGE (p)-[:REPORTS]->(v)
}
CALL () {
  UNWIND $subnets AS row
  MATCH (p:PartnerReport {report_id: row.report_id})
  MATCH (v:Subnet {cidr: row.value})
  MERGE (p)-[:REPORTS]->(v)
}
CALL () {
  UNWIND $payments AS row
  MATCH (p:PartnerReport {report_id: row.report_id})
  MATCH (v:PaymentMethod {fingerprint: row.value})
  MERGE (p)-[:REPORTS]->(v)
}
CALL () {
  UNWIND $templates AS row
  MATCH (p:PartnerReport {report_id: row.report_id})
  MATCH (v:TemplateFamily {family_id: row.value})
  MERGE (p)-[:REPORTS]->(v)
}
