// Last night's clusters that are still alive: the ids tonight's communities may inherit.
MATCH (c:Cluster)
WHERE NOT c.status IN ['dissolved', 'absorbed']
RETURN c.cluster_id AS cluster_id, c.size AS size, c.first_seen_run AS first_seen_run
