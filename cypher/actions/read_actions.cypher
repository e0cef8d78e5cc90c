// The action log, oldest first: every appeal's decision, or those recorded since run $since started (null: all).
OPTIONAL MATCH (r:Run {run_id: $since})
WITH r
MATCH (x:Action)
WHERE $since IS NULL OR x.at >= r.started_at
RETURN x.action_id AS action_id, x.action AS action, x.account_id AS account_id, x.actor AS actor,
       toString(x.at) AS at, x.note AS note, x.decision AS decision, x.cluster_id AS cluster_id,
       x.decided_run AS decided_run
ORDER BY x.at, x.action_id
