// The graph schema: a uniqueness constraint behind every key. Idempotent (IF NOT EXISTS); run by `linkage init`.
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
CREATE CONSTRAINT cluster_id IF NOT EXISTS FOR (n:Cluster) REQUIRE n.cluster_id IS UNIQUE;
CREATE CONSTRAINT run_id IF NOT EXISTS FOR (n:Run) REQUIRE n.run_id IS UNIQUE;
CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (n:Sequence) REQUIRE n.name IS UNIQUE;
CREATE INDEX account_cluster IF NOT EXISTS FOR (n:Account) ON (n.cluster_id);
CREATE INDEX account_community IF NOT EXISTS FOR (n:Account) ON (n.community);
CREATE INDEX run_started IF NOT EXISTS FOR (n:Run) ON (n.started_at);
CREATE CONSTRAINT template_family_id IF NOT EXISTS FOR (n:TemplateFamily) REQUIRE n.family_id IS UNIQUE;
CREATE CONSTRAINT payment_fingerprint IF NOT EXISTS FOR (n:PaymentMethod) REQUIRE n.fingerprint IS UNIQUE;
CREATE CONSTRAINT ip_address IF NOT EXISTS FOR (n:IP) REQUIRE n.address IS UNIQUE;
CREATE CONSTRAINT subnet_cidr IF NOT EXISTS FOR (n:Subnet) REQUIRE n.cidr IS UNIQUE;
CREATE CONSTRAINT device_id IF NOT EXISTS FOR (n:Device) REQUIRE n.device_id IS UNIQUE;
CREATE CONSTRAINT email_domain IF NOT EXISTS FOR (n:EmailDomain) REQUIRE n.domain IS UNIQUE;
CREATE CONSTRAINT org_id IF NOT EXISTS FOR (n:Org) REQUIRE n.org_id IS UNIQUE;
CREATE CONSTRAINT allow_rule IF NOT EXISTS FOR (n:AllowRule) REQUIRE n.rule IS UNIQUE;
CREATE INDEX account_first_batch IF NOT EXISTS FOR (n:Account) ON (n.first_batch);
CREATE CONSTRAINT batch_id IF NOT EXISTS FOR (n:Batch) REQUIRE n.batch_id IS UNIQUE;
CREATE CONSTRAINT lock_name IF NOT EXISTS FOR (n:Lock) REQUIRE n.name IS UNIQUE;
