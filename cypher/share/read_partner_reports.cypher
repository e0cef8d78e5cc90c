// Every partner report the graph keeps, with the values it names (addresses and CIDRs as given, payment methods and
// template families as keyed hashes), for marking the values a night brought (linkage/share/import_.py).
MATCH (p:PartnerReport)
RETURN p.report_id AS report_id, coalesce(p.ips, []) AS ips, coalesce(p.subnets, []) AS subnets,
       coalesce(p.payment_hashes, []) AS payment_hashes, coalesce(p.template_hashes, []) AS template_hashes
ORDER BY report_id
