// Evidence weight of every shared value (card, IP, subnet, device, email domain, template family).
// rarity: 1 for a value shared by two accounts, falling to 0 at $max_accounts sharers (log scale);
// org discount: a value used mostly inside one organisation (an org card, a corporate NAT) is no evidence;
// email domains count only when disposable; allowlisted values never count. Auto-commit (IN TRANSACTIONS).
MATCH (v)
WHERE v:PaymentMethod OR v:IP OR v:Subnet OR v:Device OR v:EmailDomain OR v:TemplateFamily
CALL (v) {
  CALL (v) {
    MATCH (a:Account)-[:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
    RETURN a
    UNION
    MATCH (a:Account)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v)
    RETURN a
  }
  WITH a.org_id AS org, count(a) AS n
  WITH sum(n) AS accounts, max(CASE WHEN org IS NULL THEN 0 ELSE n END) AS in_top_org
  WITH accounts,
       CASE WHEN accounts = 0 THEN 0.0 ELSE toFloat(in_top_org) / accounts END AS org_share,
       CASE WHEN accounts < 2 OR accounts >= $max_accounts THEN 0.0
            ELSE 1.0 - log(toFloat(accounts) / 2.0) / log(toFloat($max_accounts) / 2.0) END AS rarity
  SET v.link_accounts = accounts,
      v.link_org_share = org_share,
      v.link_weight = CASE
        WHEN v:EmailDomain AND NOT coalesce(v.disposable, false) THEN 0.0
        WHEN coalesce(v.allowlisted, false) THEN 0.0
        ELSE rarity * (1.0 - org_share) END
} IN TRANSACTIONS OF 5000 ROWS
