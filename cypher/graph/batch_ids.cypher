// Every loaded batch's id (name@digest): what an unknown batch's error names the nearest of
// (linkage/analyst/known.py).
MATCH (b:Batch)
RETURN b.batch_id AS id
ORDER BY id
