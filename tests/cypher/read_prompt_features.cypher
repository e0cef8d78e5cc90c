// Similarity stage: the prompt features of every account that has them.
MATCH (a:Account)
WHERE a.prompt_requests IS NOT NULL
RETURN a.account_id AS account_id, a.prompt_requests AS prompt_requests,
       a.prompt_output_tokens AS prompt_output_tokens, a.prompt_mean_output_tokens AS prompt_mean_output_tokens,
       a.prompt_cot_share AS prompt_cot_share, a.prompt_template_concentration AS prompt_template_concentration,
       a.prompt_burstiness AS prompt_burstiness
ORDER BY account_id
