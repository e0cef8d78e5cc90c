// Every cluster id in the graph: what a missing cluster's error names the nearest of (linkage/analyst/clusters.py).
MATCH (c:Cluster)
RETURN c.cluster_id AS cluster_id
ORDER BY cluster_id
