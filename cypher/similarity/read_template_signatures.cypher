// Similarity stage: the consensus MinHash signatures of known template families, so a template keeps its id across nights.
MATCH (f:TemplateFamily)
WHERE f.signature IS NOT NULL
RETURN f.family_id AS family_id, f.signature AS signature
