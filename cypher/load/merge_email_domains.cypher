// Loaders: upsert the e-mail domains of a batch's accounts (only the domain of an address is ever stored).
UNWIND $rows AS row
MERGE (d:EmailDomain {domain: row.email_domain})
SET d.disposable = row.disposable
