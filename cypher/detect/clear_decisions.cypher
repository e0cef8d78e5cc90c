// Before tonight's decisions are written: drop last night's cluster membership, scores, evidence and open
// decisions. A ban, once made, stays on the account (trust & safety may have acted on it), unless an appeal reversed
// it.
MATCH (a:Account)
WHERE a.cluster_id IS NOT NULL OR a.decision IS NOT NULL OR a.score IS NOT NULL
OPTIONAL MATCH (a)-[m:IN_CLUSTER]->(:Cluster)
DELETE m
REMOVE a.cluster_id, a.score, a.kinds, a.evidence_kinds, a.evidence_strengths, a.missed, a.community_size
SET a.decision = CASE WHEN a.decision = 'ban' AND NOT coalesce(a.reversed, false) THEN 'ban' ELSE null END
