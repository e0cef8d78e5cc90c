// Loaders: every CIDR rule of the allowlist (IPs inside them are never evidence).
MATCH (r:AllowRule {kind: 'cidr'})
RETURN r.value AS cidr
