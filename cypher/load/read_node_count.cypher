// Loaders: how many nodes the database holds (an initial load needs an empty one); from the count store.
MATCH (n)
RETURN count(n) AS nodes
