// Earlier clusters that no community continues tonight: absorbed when tonight's merged cluster lists them as a
// parent (absorbed_into names it), else dissolved. Returns how many of each.
MATCH (c:Cluster)
WHERE c.last_seen_run <> $run_id AND NOT c.status IN ['dissolved', 'absorbed']
OPTIONAL MATCH (heir:Cluster {last_seen_run: $run_id})
  WHERE c.cluster_id IN heir.parents
WITH c, min(heir.cluster_id) AS heir
SET c.status = CASE WHEN heir IS NULL THEN 'dissolved' ELSE 'absorbed' END,
    c.absorbed_into = heir
RETURN count(c) - count(heir) AS dissolved, count(heir) AS absorbed
