// Drop one GDS in-memory projection if it exists (failIfMissing = false).
CALL gds.graph.drop($name, false) YIELD graphName
RETURN graphName
