// Tonight's clusters with their event (new, stable, grown, shrunk, merged, split) and the run that saw them: its
// bans and reviews, the size of its whole community (the accounts around them with no decision included), and what
// its ban would hit besides the farm (accounts outside it sharing its values, by kind; of an org; their share of
// tonight's requests) and whether that held its bans back for review.
UNWIND $rows AS row
MATCH (r:Run {run_id: $run_id})
MERGE (c:Cluster {cluster_id: row.cluster_id})
ON CREATE SET c.first_seen_run = $run_id
SET c.size = row.size,
    c.bans = row.bans,
    c.reviews = row.reviews,
    c.score = row.score,
    c.signals = row.signals,
    c.status = row.status,
    c.parents = row.parents,
    c.collateral = row.collateral,
    c.collateral_cards = row.collateral_cards,
    c.collateral_ips = row.collateral_ips,
    c.collateral_subnets = row.collateral_subnets,
    c.collateral_devices = row.collateral_devices,
    c.collateral_templates = row.collateral_templates,
    c.collateral_org = row.collateral_org,
    c.collateral_traffic = row.collateral_traffic,
    c.held = row.held,
    c.last_seen_run = $run_id
MERGE (c)-[s:SEEN_IN]->(r)
SET s.size = row.size, s.bans = row.bans, s.reviews = row.reviews, s.status = row.status
