// Loaders: how many nodes the database holds besides the run's own lease (an initial load needs an empty
// database); from the count store.
MATCH (n)
WITH count(n) AS all
RETURN all - COUNT { (:Lock) } AS nodes
