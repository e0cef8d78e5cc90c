// Indicators import: every payment method and template family by its key, to match a partner's keyed hashes of
// them (LINKAGE_SHARE_KEY; Cypher has no HMAC, so the hashes are computed in linkage/share/import_.py).
MATCH (p:PaymentMethod)
RETURN 'PaymentMethod' AS label, p.fingerprint AS value
UNION ALL
MATCH (f:TemplateFamily)
RETURN 'TemplateFamily' AS label, f.family_id AS value
