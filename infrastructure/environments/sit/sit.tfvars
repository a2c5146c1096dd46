environment = "sit"
account_id  = "815856636111"
region      = "af-south-1"

cognito_user_pool_arn = "arn:aws:cognito-idp:af-south-1:815856636111:userpool/af-south-1_REPLACEME"
domain_name           = "api-sit.bbws.io"
certificate_arn       = "arn:aws:acm:af-south-1:815856636111:certificate/REPLACE-WITH-api-sit-bbws-io"
hosted_zone_id        = "ZREPLACEWITHBBWSIO"
ses_identity          = "bbws.io"

point_in_time_recovery_days = 14
deletion_protection         = false
queue_retention_days        = 4
dlq_retention_days          = 14
log_retention_days          = 90

throttling_rate_limit  = 5000
throttling_burst_limit = 10000

# The portal's origins (first: the portal itself); DEV also lets frontend developers run it locally.
cors_allowed_origins = ["https://portal-sit.bbws.io"]
