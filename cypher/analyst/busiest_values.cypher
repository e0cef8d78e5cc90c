// The most widely shared values of each kind and their evidence weight: where NATs, VPN exits and popular
// tools hide (high sharing, weight near 0) next to pools used by a tight group. Kinds are the reasons' (payment,
// network, device, email, template).
// Parameters: none
// Example: linkage query run busiest_values
WITH {PaymentMethod: 'payment', IP: 'network', Subnet: 'network', Device: 'device', EmailDomain: 'email',
      TemplateFamily: 'template'} AS kind_of
MATCH (v)
WHERE v.link_accounts IS NOT NULL AND v.link_accounts >= 2
RETURN kind_of[labels(v)[0]] AS kind,
       coalesce(v.fingerprint, v.address, v.cidr, v.device_id, v.domain, v.family_id) AS value,
       v.link_accounts AS accounts, v.link_org_share AS org_share, v.link_weight AS weight
ORDER BY accounts DESC, value
LIMIT 50
