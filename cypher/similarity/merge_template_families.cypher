// Similarity stage: upsert TemplateFamily nodes: a near-duplicate prompt family (kind 'template') or a segment that
// accounts send habitually (kind 'segment', no signature); example is redacted, never raw text.
UNWIND $rows AS row
MERGE (f:TemplateFamily {family_id: row.family_id})
SET f.kind = row.kind,
    f.example = row.example,
    f.accounts = row.accounts,
    f.requests = row.requests,
    f.cot = row.cot,
    f.cot_share = row.cot_share,
    f.weight = row.weight,
    f.signature = row.signature,
    f.first_batch = coalesce(f.first_batch, $batch),
    f.last_batch = $batch
