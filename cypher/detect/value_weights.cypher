// Evidence weight of every shared value (card, IP, subnet, device, email domain, template family).
// rarity: 1 for a value shared by two accounts, falling to 0 at $max_accounts sharers (log scale);
// org discount: a value used mostly inside one organisation (an org card, a corporate NAT) is no evidence;
// time: accounts that took the value up within $overlap_days of each other act together; the wider the spread
// of their first uses beyond that, the less the sharing says (factor $overlap_days / spread);
// email domains count only when disposable; allowlisted values and addresses that do not route on the internet
// (routable: false: private, loopback, link-local, documentation…) never count. Auto-commit (IN TRANSACTIONS).
MATCH (v)
WHERE v:PaymentMethod OR v:IP OR v:Subnet OR v:Device OR v:EmailDomain OR v:TemplateFamily
CALL (v) {
  CALL (v) {
    MATCH (a:Account)-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
    RETURN a, r.first_seen AS seen
    UNION
    MATCH (a:Account)-[r:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v)
    RETURN a, r.first_seen AS seen
  }
  WITH a.org_id AS org, count(DISTINCT a) AS n, min(seen) AS first, max(seen) AS last
  WITH sum(n) AS accounts, max(CASE WHEN org IS NULL THEN 0 ELSE n END) AS in_top_org,
       min(first) AS first, max(last) AS last
  WITH accounts,
       CASE WHEN accounts = 0 THEN 0.0 ELSE toFloat(in_top_org) / accounts END AS org_share,
       CASE WHEN accounts < 2 OR accounts >= $max_accounts THEN 0.0
            ELSE 1.0 - log(toFloat(accounts) / 2.0) / log(toFloat($max_accounts) / 2.0) END AS rarity,
       CASE WHEN first IS NULL OR last IS NULL THEN 0.0
            ELSE duration.inSeconds(first, last).seconds / 86400.0 END AS spread_days
  WITH accounts, org_share, rarity, spread_days,
       CASE WHEN spread_days <= $overlap_days THEN 1.0 ELSE $overlap_days / spread_days END AS synchrony
  SET v.link_accounts = accounts,
      v.link_org_share = org_share,
      v.link_spread_days = spread_days,
      v.link_weight = CASE
        WHEN v:EmailDomain AND NOT coalesce(v.disposable, false) THEN 0.0
        WHEN coalesce(v.allowlisted, false) OR v.routable = false THEN 0.0
        ELSE rarity * (1.0 - org_share) * synchrony END
} IN TRANSACTIONS OF 5000 ROWS
