// Every property of every node and relationship as (kind, key, value) rows: checks of what reached the graph.
MATCH (n)
UNWIND keys(n) AS key
RETURN labels(n)[0] AS kind, key, n[key] AS value
UNION ALL
MATCH ()-[r]->()
UNWIND keys(r) AS key
RETURN type(r) AS kind, key, r[key] AS value
