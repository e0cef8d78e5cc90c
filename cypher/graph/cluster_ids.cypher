// Every cluster id in the graph: what an unknown cluster's error names the nearest of (linkage/analyst/known.py).
MATCH (c:Cluster)
RETURN c.cluster_id AS id
ORDER BY id
