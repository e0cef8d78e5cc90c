// Loaders: upsert the organisations a batch's accounts belong to.
UNWIND $rows AS row
MERGE (:Org {org_id: row.org_id})
