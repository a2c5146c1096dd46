# A developer's sandbox: what every sandbox shares. What is yours (the id, the account, the region,
# your address, your verified SES identity) `make sandbox-up` writes to .sandbox/{id}/sandbox.tfvars.json
# (docs/sandbox.md). Sized to cost little: short retention, low throttles, a small budget.
point_in_time_recovery_days = 1
deletion_protection         = false
queue_retention_days        = 4
dlq_retention_days          = 7
log_retention_days          = 7
disposable                  = true

throttling_rate_limit  = 50
throttling_burst_limit = 100

cors_allowed_origins = ["http://localhost:3000", "http://127.0.0.1:3000"]

monthly_budget_usd = 50
