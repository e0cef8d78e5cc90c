// One cluster as trust & safety weighs its ban: its decisions, tonight's event, and what the ban would hit besides
// the farm (accounts outside it that share its cards, IPs, subnets, devices or templates; how many of an org; their
// share of tonight's requests; whether that held its bans back for review), with its members whose ban an appeal
// reversed.
// Parameters: cluster_id (string)
// Example: linkage query run explain_cluster -p cluster_id=C-0001
// :param cluster_id => 'C-0001';
MATCH (c:Cluster {cluster_id: $cluster_id})
RETURN c.cluster_id AS cluster_id, c.status AS status, c.size AS size, coalesce(c.bans, 0) AS bans,
       coalesce(c.reviews, 0) AS reviews, c.score AS score, c.signals AS signals, c.first_seen_run AS first_seen_run,
       c.last_seen_run AS last_seen_run, coalesce(c.held, false) AS held, c.collateral AS collateral,
       c.collateral_cards AS collateral_cards, c.collateral_ips AS collateral_ips,
       c.collateral_subnets AS collateral_subnets, c.collateral_devices AS collateral_devices,
       c.collateral_templates AS collateral_templates, c.collateral_org AS collateral_org,
       c.collateral_traffic AS collateral_traffic,
       COLLECT { MATCH (x:Action {action: 'reverse', cluster_id: c.cluster_id}) RETURN DISTINCT x.account_id } AS reversed
