// Benchmark only (bench/bench_communities.py): index the LFR benchmark nodes by id so edge writes find them fast.
CREATE INDEX bench_lfr_node_id IF NOT EXISTS FOR (n:LfrNode) ON (n.node_id)
