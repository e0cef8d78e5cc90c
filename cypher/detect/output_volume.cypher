// The population's typical output volume: median and median absolute deviation of log(1 + output tokens) over
// every account with at least $min_requests requests (not only those in communities, where farms would be the
// norm). Harvest is measured against these. One row always: nulls and 0 when no account has that many requests (a
// night of accounts only).
MATCH (a:Account)
WHERE coalesce(a.prompt_requests, 0) >= $min_requests
WITH log(1.0 + coalesce(a.prompt_output_tokens, 0)) AS x
WITH percentileCont(x, 0.5) AS median, collect(x) AS xs
UNWIND CASE WHEN xs = [] THEN [null] ELSE xs END AS x
RETURN median, percentileCont(abs(x - median), 0.5) AS mad, count(x) AS active
