// Past the numbers tonight's new clusters took: the counter never goes back (ids are never reused).
MERGE (s:Sequence {name: 'cluster'})
SET s.next = CASE WHEN coalesce(s.next, 1) > $number THEN s.next ELSE $number END
