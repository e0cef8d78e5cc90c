// The values of the graph partners reported (`linkage indicators import`): each report's source, marking and
// confidence with the value it names, by label.
// Parameters: report_ids (list of strings, or null for every report)
// :param report_ids => null;
MATCH (p:PartnerReport)-[:REPORTS]->(v)
WHERE $report_ids IS NULL OR p.report_id IN $report_ids
RETURN p.report_id AS report_id, p.source AS source, p.marking AS marking, p.confidence AS confidence,
       labels(v)[0] AS label, coalesce(v.address, v.cidr, v.fingerprint, v.family_id) AS value
ORDER BY report_id, label, value
