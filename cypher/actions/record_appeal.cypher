// An appeal's decision, appended to the action log (never changed afterwards): who decided, when, why, on which
// decision of which run. A reversal allowlists the account (no run bans it again, the allowlist wins over a ban
// that stands) and marks it reversed (its values stop counting as banned infrastructure). Only an account with a
// decision (ban or review) or banned in a batch can be appealed: no row otherwise. The reversed decision leaves the
// account at once (`linkage banlist`), and no later run gives it back.
MATCH (a:Account {account_id: $account_id})
WHERE a.decision IN ['ban', 'review'] OR coalesce(a.banned, false)
CREATE (x:Action {action_id: randomUUID(), action: $action, account_id: a.account_id, actor: $actor,
                  at: datetime($at), note: $note, decision: coalesce(a.decision, 'ban'), cluster_id: a.cluster_id,
                  decided_run: a.decided_run})-[:ON]->(a)
FOREACH (_ IN CASE WHEN $action = 'reverse' THEN [1] ELSE [] END |
  SET a.allowlisted = true, a.reversed = true, a.reversed_at = x.at, a.decision = null)
RETURN x.action_id AS action_id, x.action AS action, x.account_id AS account_id, x.actor AS actor,
       toString(x.at) AS at, x.note AS note, x.decision AS decision, x.cluster_id AS cluster_id,
       x.decided_run AS decided_run
