// Memory GDS needs for the evidence projection plus Leiden on it, estimated from node and relationship
// counts before anything is projected (a fictitious-graph estimate): each estimate's upper bound, bytesMax. (Its
// heapPercentageMax is a fraction of the heap rounded up to a tenth, too coarse to hold against a limit.)
// Parameters: node_count (integer), relationship_count (integer)
CALL gds.graph.project.estimate('*', '*', {nodeCount: $node_count, relationshipCount: $relationship_count})
YIELD bytesMax AS projection_bytes
CALL gds.leiden.stream.estimate(
  {nodeProjection: '*', relationshipProjection: {R: {type: '*', orientation: 'UNDIRECTED', properties: {}}},
   nodeCount: $node_count, relationshipCount: $relationship_count},
  {}
) YIELD bytesMax AS leiden_bytes
RETURN projection_bytes + leiden_bytes AS required_bytes
