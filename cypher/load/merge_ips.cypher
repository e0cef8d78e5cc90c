// Loaders: upsert IP addresses and their subnet (/24 for IPv4, /48 for IPv6).
UNWIND $rows AS row
MERGE (i:IP {address: row.ip})
SET i.version = row.version
MERGE (s:Subnet {cidr: row.subnet})
MERGE (i)-[:IN_SUBNET]->(s)
