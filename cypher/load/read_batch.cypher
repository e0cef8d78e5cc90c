// Loaders: whether a batch (by its identity: folder name and digest of its files) was loaded whole already.
MATCH (b:Batch {batch_id: $batch})
RETURN b.batch_id AS batch_id, b.loaded_at AS loaded_at
