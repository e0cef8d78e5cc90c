// After the communities are written: a template family's evidence weight counts the unrelated groups that use
// it (a community, or an account in none), not its accounts. Near-duplicate families can chain several campaigns'
// templates into one family of thousands of accounts, each campaign one tight community: counted by accounts it
// would weigh nothing, though every member of each community sends it. A popular tool's template is spread over
// thousands of groups and still weighs nothing. Org discount and timing as in detect_value_weights.cypher.
MATCH (f:TemplateFamily)
CALL (f) {
  MATCH (a:Account)-[:USES_TEMPLATE]->(f)
  WITH count(DISTINCT coalesce('community ' + toString(a.community), a.account_id)) AS groups
  WITH groups,
       CASE WHEN coalesce(f.link_spread_days, 0.0) <= $overlap_days THEN 1.0
            ELSE $overlap_days / f.link_spread_days END AS synchrony
  SET f.link_groups = groups,
      f.link_weight = CASE
        WHEN coalesce(f.link_accounts, 0) < 2 OR groups >= $max_accounts THEN 0.0
        ELSE (1.0 - log(toFloat(groups)) / log(toFloat($max_accounts))) * (1.0 - coalesce(f.link_org_share, 0.0))
             * synchrony END
} IN TRANSACTIONS OF 5000 ROWS
