// The campaigns banned clusters left behind (linkage/detect/campaigns.py): each one's signature, the template
// families and segments mostly its banned accounts sent, and the habits they asked with.
MATCH (c:Campaign)
OPTIONAL MATCH (c)-[:SIGNED_BY]->(f:TemplateFamily)
RETURN c.campaign_id AS campaign_id, collect(f.family_id) AS families, coalesce(c.habits, []) AS habits
