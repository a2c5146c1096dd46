environment = "dev"
account_id  = "536580886816"
region      = "eu-west-1"

cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:536580886816:userpool/eu-west-1_REPLACEME"
domain_name           = "api-dev.bbws.io"
certificate_arn       = "arn:aws:acm:eu-west-1:536580886816:certificate/REPLACE-WITH-api-dev-bbws-io"
hosted_zone_id        = "ZREPLACEWITHBBWSIO"
ses_identity          = "kimmyai.io"

point_in_time_recovery_days = 7
deletion_protection         = false
queue_retention_days        = 4
dlq_retention_days          = 7
log_retention_days          = 30

throttling_rate_limit  = 1000
throttling_burst_limit = 2000

# The portal's origins (first: the portal itself); DEV also lets frontend developers run it locally.
cors_allowed_origins = ["https://portal-dev.bbws.io", "http://localhost:3000"]

# Alarms and budget alerts (bbws-alerts-dev). Assumed team addresses: confirm before the first deploy.
alert_emails       = ["devops-dev@bbws.io"]
monthly_budget_usd = 500
