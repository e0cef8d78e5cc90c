"""Detection: evidence weights, GDS communities, scores, stable cluster ids and decisions with their reasons."""
