// Whether an account exists, and if not, how many do and a few that an analyst may have meant: the ids at and
// after the one typed (in the order of the account_id index), and the first banned ones (what an unknown
// account's error names, linkage/analyst/known.py).
// Parameters: account_id (string), examples (integer)
OPTIONAL MATCH (known:Account {account_id: $account_id})
CALL () {
  MATCH (a:Account)
  RETURN count(a) AS accounts
}
CALL () {
  MATCH (a:Account) WHERE a.account_id >= $account_id
  WITH a ORDER BY a.account_id LIMIT $examples
  RETURN collect(a.account_id) AS following
}
CALL () {
  MATCH (a:Account {decision: 'ban'})
  WITH a ORDER BY a.account_id LIMIT $examples
  RETURN collect(a.account_id) AS banned
}
RETURN known IS NOT NULL AS known, accounts, following, banned
