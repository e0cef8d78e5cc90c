// The batch an account was first seen in (a value for saved queries that take a batch).
MATCH (a:Account {account_id: $account_id})
RETURN a.first_batch AS batch
