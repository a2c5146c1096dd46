environment = "prod"
account_id  = "093646564004"
region      = "af-south-1"
dr_region   = "eu-west-1"

cognito_user_pool_arn = "arn:aws:cognito-idp:af-south-1:093646564004:userpool/af-south-1_REPLACEME"
domain_name           = "api.bbws.io"
certificate_arn       = "arn:aws:acm:af-south-1:093646564004:certificate/REPLACE-WITH-api-bbws-io"
dr_certificate_arn    = "arn:aws:acm:eu-west-1:093646564004:certificate/REPLACE-WITH-api-bbws-io-and-api-dr-bbws-io"
dr_domain_name        = "api-dr.bbws.io"
hosted_zone_id        = "ZREPLACEWITHBBWSIO"
ses_identity          = "kimmyai.io"

point_in_time_recovery_days = 35
deletion_protection         = true
queue_retention_days        = 14
dlq_retention_days          = 14
log_retention_days          = 365
glacier_transition_days     = 730

throttling_rate_limit  = 10000
throttling_burst_limit = 20000

# The portal's origins (first: the portal itself); DEV also lets frontend developers run it locally.
cors_allowed_origins = ["https://portal.bbws.io"]

# Alarms and budget alerts (bbws-alerts-prod). Assumed team addresses: confirm before the first deploy.
alert_emails       = ["devops@bbws.io"]
monthly_budget_usd = 5000
