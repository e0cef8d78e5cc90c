// Loaders: upsert payment methods (processor tokens or fingerprints; raw card numbers never get here).
UNWIND $rows AS row
MERGE (p:PaymentMethod {fingerprint: row.fingerprint})
SET p.method_type = coalesce(row.method_type, p.method_type),
    p.card_country = coalesce(row.card_country, p.card_country)
