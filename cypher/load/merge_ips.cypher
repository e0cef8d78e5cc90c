// Loaders: upsert IP addresses and their subnet (/24 for IPv4, /48 for IPv6). routable: false for an address (or
// subnet) that does not route on the internet (private, loopback, link-local, documentation…): never evidence.
UNWIND $rows AS row
MERGE (i:IP {address: row.ip})
SET i.version = row.version, i.routable = row.routable
MERGE (s:Subnet {cidr: row.subnet})
SET s.routable = row.subnet_routable
MERGE (i)-[:IN_SUBNET]->(s)
