// Loaders: flag IPs that fall inside an allowlisted CIDR.
UNWIND $rows AS row
MATCH (i:IP {address: row.ip})
SET i.allowlisted = true
