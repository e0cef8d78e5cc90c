// Give the lease back when a run ends (only its own holder can).
MATCH (l:Lock {name: $name, holder: $holder})
DELETE l
