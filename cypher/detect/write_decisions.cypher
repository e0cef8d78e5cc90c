// Tonight's cluster membership, score, decision and reasons per account (sentences, and the same as JSON records
// for machines: kind, value, members, total, weight, sentence), and its IN_CLUSTER link.
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (c:Cluster {cluster_id: row.cluster_id})
SET a.cluster_id = row.cluster_id,
    a.score = row.score,
    a.decision = CASE WHEN row.decision = '' THEN null ELSE row.decision END,
    a.reasons = CASE WHEN row.decision = '' THEN a.reasons ELSE row.reasons END,
    a.reason_records = CASE WHEN row.decision = '' THEN a.reason_records ELSE row.reason_json END,
    a.decided_run = CASE WHEN row.decision = '' THEN a.decided_run ELSE $run_id END
MERGE (a)-[:IN_CLUSTER]->(c)
