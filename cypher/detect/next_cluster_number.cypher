// Allocate the next cluster number from a counter node (ids are never reused).
MERGE (s:Sequence {name: 'cluster'})
ON CREATE SET s.next = 1
WITH s, s.next AS number
SET s.next = number + 1
RETURN number
