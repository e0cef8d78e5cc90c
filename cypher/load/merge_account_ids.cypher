// Loaders: make sure every account a file refers to exists (an account first seen through a session or a payment
// gets first_batch); the relationship statements that follow then only MATCH accounts.
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
