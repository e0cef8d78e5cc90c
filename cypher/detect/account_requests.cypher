// Tonight's requests of every account that sent any: the night's traffic, of which collateral takes a share
// (linkage/detect/collateral.py).
MATCH (a:Account)
WHERE a.prompt_requests > 0
RETURN a.account_id AS account_id, a.prompt_requests AS requests
