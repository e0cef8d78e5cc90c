// Loaders: upsert devices by id.
UNWIND $rows AS row
MERGE (:Device {device_id: row.device_id})
