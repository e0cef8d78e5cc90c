// The picture of one account: every value it shares (cards, IPs, subnets through the IPs, devices, disposable
// e-mail domains, template families; values used by more than 1,000 accounts left out) and the accounts that
// share them. At most $max_accounts accounts, the account itself and then the most connected; members_linked
// says how many there are in all.
// Parameters: account_id (string), max_accounts (integer)
// Example: linkage query run account_picture -p account_id=farm-01 -p max_accounts=300
// :param account_id => 'farm-01';
// :param max_accounts => 300;
MATCH (me:Account {account_id: $account_id})
CALL (me) {
  MATCH (me)-[r:PAID_WITH|CONNECTED_FROM|USED_DEVICE|EMAIL_AT|USES_TEMPLATE]->(v)
  WHERE coalesce(v.link_accounts, 0) <= 1000 AND (NOT v:EmailDomain OR v.disposable)
  MATCH (v)<-[r2]-(a:Account)
  WHERE type(r2) = type(r)
  RETURN a, type(r) AS link, v
  UNION
  MATCH (me)-[:CONNECTED_FROM]->(:IP)-[:IN_SUBNET]->(v:Subnet)
  WHERE coalesce(v.link_accounts, 0) <= 1000
  MATCH (v)<-[:IN_SUBNET]-(:IP)<-[:CONNECTED_FROM]-(a:Account)
  RETURN a, 'IN_SUBNET' AS link, v
}
WITH me, link, v, collect(DISTINCT a) AS members
WHERE size(members) >= 2
UNWIND members AS a
WITH me, a, collect({link: link, v: v}) AS values
WITH me, collect({a: a, values: values}) AS linked
UNWIND linked AS member
WITH member, size(linked) AS members_linked, member.a = me AS itself
ORDER BY itself DESC, size(member.values) DESC, member.a.account_id
LIMIT $max_accounts
UNWIND member.values AS item
WITH member.a AS a, item.link AS link, item.v AS v, members_linked
RETURN a.account_id AS account_id, a.decision AS decision, a.score AS score, link,
       coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       coalesce(v.disposable, false) AS disposable, v.link_accounts AS accounts, v.link_weight AS weight,
       members_linked
ORDER BY account_id, link, value
