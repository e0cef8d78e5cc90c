// A new account paying with a card of account $banned: a neighbour of a ban that the ban list does not hold.
MATCH (:Account {account_id: $banned})-[:PAID_WITH]->(card:PaymentMethod)
WITH card LIMIT 1
MERGE (a:Account {account_id: $account_id})
MERGE (a)-[:PAID_WITH]->(card)
