// The first number a new cluster may take (ids are never reused): tonight's new clusters are numbered from it.
OPTIONAL MATCH (s:Sequence {name: 'cluster'})
RETURN coalesce(s.next, 1) AS number
