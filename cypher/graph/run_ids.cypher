// Every run id in the graph: what an unknown run's error names the nearest of (linkage/analyst/known.py).
MATCH (r:Run)
RETURN r.run_id AS id
ORDER BY id
