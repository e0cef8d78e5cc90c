// Earlier clusters that no community continues tonight are dissolved; returns how many.
MATCH (c:Cluster)
WHERE c.last_seen_run <> $run_id AND c.status <> 'dissolved'
SET c.status = 'dissolved'
RETURN count(c) AS dissolved
