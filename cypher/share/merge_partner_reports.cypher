// Indicators import (linkage/share/import_.py): one PartnerReport per campaign a partner's bundle names, keyed by
// its STIX id: who reported it, under which marking, how confident, when, and the values it names (addresses and
// CIDRs as given, payment methods and template families as keyed hashes). A later version of the campaign (a newer
// `modified`) replaces what an earlier one said; the same bundle imported again changes nothing.
UNWIND $rows AS row
MERGE (p:PartnerReport {report_id: row.report_id})
ON CREATE SET p.imported_at = datetime($imported_at)
WITH p, row
WHERE p.modified IS NULL OR p.modified < datetime(row.modified)
SET p.name = row.name,
    p.source = row.source,
    p.source_id = row.source_id,
    p.marking = row.marking,
    p.confidence = row.confidence,
    p.first_seen = datetime(row.first_seen),
    p.last_seen = datetime(row.last_seen),
    p.modified = datetime(row.modified),
    p.bundle_id = row.bundle_id,
    p.banned_accounts = row.banned_accounts,
    p.ips = row.ips,
    p.subnets = row.subnets,
    p.payment_hashes = row.payment_hashes,
    p.template_hashes = row.template_hashes
