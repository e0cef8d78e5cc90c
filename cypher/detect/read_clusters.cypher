// Last night's clusters that are still alive: the ids tonight's communities may inherit, with their decided
// members (a cluster written before bans and reviews were counted apart: its size).
MATCH (c:Cluster)
WHERE NOT c.status IN ['dissolved', 'absorbed']
RETURN c.cluster_id AS cluster_id,
       CASE WHEN c.bans IS NULL THEN c.size ELSE c.bans + coalesce(c.reviews, 0) END AS decided,
       c.first_seen_run AS first_seen_run
