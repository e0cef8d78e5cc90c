// Forget last run's community assignment before tonight's is written (cluster ids and decisions stay).
MATCH (a:Account)
WHERE a.community IS NOT NULL OR a.component IS NOT NULL
CALL (a) { REMOVE a.community, a.component } IN TRANSACTIONS OF 10000 ROWS
