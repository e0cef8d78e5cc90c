// Memory GDS needs for the evidence projection plus Leiden on it, estimated from node and relationship
// counts before anything is projected (a fictitious-graph estimate).
CALL gds.graph.project.estimate('*', '*', {nodeCount: $node_count, relationshipCount: $relationship_count})
YIELD bytesMax AS projection_bytes, heapPercentageMax AS projection_heap_percentage
CALL gds.leiden.stream.estimate(
  {nodeProjection: '*', relationshipProjection: {R: {type: '*', orientation: 'UNDIRECTED', properties: {}}},
   nodeCount: $node_count, relationshipCount: $relationship_count},
  {}
) YIELD bytesMax AS leiden_bytes, heapPercentageMax AS leiden_heap_percentage
RETURN projection_bytes, leiden_bytes,
       projection_heap_percentage + leiden_heap_percentage AS heap_percentage
