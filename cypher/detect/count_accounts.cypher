// How many accounts the graph holds: the population a value's sharing is weighed against.
MATCH (a:Account)
RETURN count(a) AS accounts
