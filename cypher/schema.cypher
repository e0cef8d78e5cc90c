// The graph schema: a uniqueness constraint behind every key. Idempotent (IF NOT EXISTS); run by `linkage init`.
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
CREATE CONSTRAINT cluster_id IF NOT EXISTS FOR (n:Cluster) REQUIRE n.cluster_id IS UNIQUE;
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (n:Run) REQUIRE n.run_id IS UNIQUE;
CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (n:Sequence) REQUIRE n.name IS UNIQUE;
CREATE INDEX account_cluster IF NOT EXISTS FOR (n:Account) ON (n.cluster_id);
CREATE INDEX account_community IF NOT EXISTS FOR (n:Account) ON (n.community);
CREATE INDEX run_started IF NOT EXISTS FOR (n:Run) ON (n.started_at);
CREATE CONSTRAINT template_family_id IF NOT EXISTS FOR (n:TemplateFamily) REQUIRE n.family_id IS UNIQUE;
