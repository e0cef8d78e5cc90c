// Tonight's signature of each campaign (a cluster with bans, linkage/detect/campaigns.py), added to what it had:
// a campaign never forgets a family, segment or habit it used.
UNWIND $rows AS row
MERGE (c:Campaign {campaign_id: row.campaign_id})
ON CREATE SET c.first_run = $run_id
SET c.last_run = $run_id,
    c.habits = [habit IN coalesce(c.habits, []) WHERE NOT habit IN row.habits] + row.habits
WITH c, row
UNWIND row.families AS family_id
MATCH (f:TemplateFamily {family_id: family_id})
MERGE (c)-[:SIGNED_BY]->(f)
