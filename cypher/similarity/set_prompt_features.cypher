// Similarity stage: per-account prompt features (volume, output length, CoT share, template concentration, burstiness).
UNWIND $rows AS row
MERGE (a:Account {account_id: row.account_id})
ON CREATE SET a.first_batch = $batch, a.last_batch = $batch
SET a.prompt_requests = row.prompt_requests,
    a.prompt_output_tokens = row.prompt_output_tokens,
    a.prompt_mean_output_tokens = row.prompt_mean_output_tokens,
    a.prompt_cot_share = row.prompt_cot_share,
    a.prompt_template_concentration = row.prompt_template_concentration,
    a.prompt_burstiness = row.prompt_burstiness,
    a.prompt_habit = row.prompt_habit
