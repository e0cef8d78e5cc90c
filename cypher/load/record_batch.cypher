// Loaders: record a batch as loaded, once every write of it has committed (a load cut short leaves no record and
// is loaded again). files: one "kind name bytes sha256" line per file of its manifest.
MERGE (b:Batch {batch_id: $batch})
ON CREATE SET b.loaded_at = datetime()
SET b.name = $name, b.digest = $digest, b.files = $files
