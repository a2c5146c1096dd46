environment = "sit"
account_id  = "815856636111"
region      = "eu-west-1"

cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:815856636111:userpool/eu-west-1_REPLACEME"
domain_name           = "api-sit.bbws.io"
certificate_arn       = "arn:aws:acm:eu-west-1:815856636111:certificate/REPLACE-WITH-api-sit-bbws-io"
hosted_zone_id        = "ZREPLACEWITHBBWSIO"
ses_identity          = "kimmyai.io"

point_in_time_recovery_days = 14
deletion_protection         = false
queue_retention_days        = 4
dlq_retention_days          = 14
log_retention_days          = 90

throttling_rate_limit  = 5000
throttling_burst_limit = 10000

# The portal's origins (first: the portal itself); DEV also lets frontend developers run it locally.
cors_allowed_origins = ["https://portal-sit.bbws.io"]

# Alarms and budget alerts (bbws-alerts-sit). Assumed team addresses: confirm before the first deploy.
alert_emails       = ["devops-sit@bbws.io"]
monthly_budget_usd = 1000

# The load tests and smoke runs come from the CI runners' NAT address: not rate-limited per IP.
# REPLACE the documentation address (TEST-NET-3) with the runners' real egress address.
waf_rate_limit_per_ip = 3000
waf_trusted_cidrs     = ["203.0.113.10/32"]
