// The campaigns banned clusters left behind (linkage/detect/campaigns.py): each one's signature, the template
// families and segments mostly its banned accounts sent, and the habits they asked with. A ban reversed on appeal
// (`linkage appeal --reverse`) stops counting: a family stays in a campaign's signature only while the bans that
// stand among its senders outnumber the campaign's accounts reversed that send it (a class banned with a farm and
// reversed takes its homework out of the farm's signature; one wrong ban among a farm's fifty leaves the farm's
// family in it). The bans that stand are counted only for a family a reversed account sends.
MATCH (c:Campaign)
OPTIONAL MATCH (c)-[:SIGNED_BY]->(f:TemplateFamily)
WITH c, f,
     COUNT { MATCH (:Action {action: 'reverse', cluster_id: c.campaign_id})-[:ON]->(r:Account)-[:USES_TEMPLATE]->(f)
             RETURN DISTINCT r } AS reversed
WITH c, f, reversed,
     CASE WHEN reversed = 0 THEN 0
          ELSE COUNT { MATCH (b:Account)-[:USES_TEMPLATE]->(f)
                       WHERE (coalesce(b.banned, false) OR b.decision = 'ban') AND NOT coalesce(b.reversed, false) }
     END AS standing
RETURN c.campaign_id AS campaign_id,
       collect(CASE WHEN reversed = 0 OR standing > reversed THEN f.family_id END) AS families,
       coalesce(c.habits, []) AS habits
