// Benchmark only (bench/bench_communities.py): one node per LFR benchmark vertex with its planted community.
UNWIND $rows AS row
MERGE (n:LfrNode {node_id: row.node_id})
SET n.planted = row.planted
