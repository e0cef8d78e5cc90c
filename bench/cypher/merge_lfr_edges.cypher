// Benchmark only (bench/bench_communities.py): one LFR_LINK per undirected LFR edge, stored once (source < target).
UNWIND $rows AS row
MATCH (a:LfrNode {node_id: row.source})
MATCH (b:LfrNode {node_id: row.target})
MERGE (a)-[:LFR_LINK]->(b)
