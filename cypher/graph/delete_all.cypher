// Delete every node and relationship of the database, in batches (auto-commit transaction only).
// Used by `linkage db reset` and by the test suite; the schema (constraints, indexes) stays.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
