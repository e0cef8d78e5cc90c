// The graph schema: a uniqueness constraint behind every key. Idempotent (IF NOT EXISTS); run by `linkage init`.
CREATE CONSTRAINT account_id IF NOT EXISTS FOR (n:Account) REQUIRE n.account_id IS UNIQUE;
