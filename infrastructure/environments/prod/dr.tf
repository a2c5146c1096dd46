# The eu-west-1 standby of PROD: the same service on its own queues, topic, buckets (replicas of
# af-south-1's) and the global table's replica; Route 53 fails api.bbws.io over to it when the
# primary's /health fails twice in a row (30 s checks). Runbook: docs/deploy.md.

provider "aws" {
  alias               = "dr"
  region              = var.dr_region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      Service     = "bbws-order-lambda"
      Environment = var.environment
      ManagedBy   = "terraform"
      Role        = "disaster-recovery"
    }
  }
}

locals {
  # Secrets Manager replicas keep the primary's name; only the region changes.
  dr_cursor_secret_arn = replace(module.cursor_secret.secret_arn, ":${var.region}:", ":${var.dr_region}:")
}

module "kms_dr" {
  source    = "../../modules/kms"
  providers = { aws = aws.dr }

  environment = var.environment
  tags        = local.tags
}

module "messaging_dr" {
  source    = "../../modules/messaging"
  providers = { aws = aws.dr }

  consumers            = module.service.consumers
  topic_name           = local.names.events_topic
  queue_retention_days = var.queue_retention_days
  dlq_retention_days   = var.dlq_retention_days
  kms_key_arn          = module.kms_dr.key_arn
  tags                 = local.tags
}

module "storage_dr" {
  source    = "../../modules/storage"
  providers = { aws = aws.dr }

  environment             = var.environment
  orders_bucket_name      = "${local.names.orders_bucket}-${var.dr_region}"
  templates_bucket_name   = "${local.names.templates_bucket}-${var.dr_region}"
  glacier_transition_days = var.glacier_transition_days
  kms_key_arn             = module.kms_dr.key_arn
  tags                    = local.tags
  # No uploads: the templates arrive by replication from af-south-1.
}

module "service_dr" {
  source    = "./service"
  providers = { aws = aws.dr }

  environment            = var.environment
  cognito_user_pool_arn  = var.cognito_user_pool_arn
  function_role_arns     = module.iam.role_arns
  queue_arns             = module.messaging_dr.queue_arns
  kms_key_arn            = module.kms_dr.key_arn
  log_retention_days     = var.log_retention_days
  throttling_rate_limit  = var.throttling_rate_limit
  throttling_burst_limit = var.throttling_burst_limit
  tags                   = local.tags
  lambda_environment = {
    ORDER_EVENTS_TOPIC_ARN = module.messaging_dr.topic_arn
    ORDERS_BUCKET_NAME     = module.storage_dr.bucket_names["orders"]
    TEMPLATES_BUCKET_NAME  = module.storage_dr.bucket_names["templates"]
  }
}

module "api_domain_dr" {
  source    = "../../modules/api_domain"
  providers = { aws = aws.dr }

  domain_name     = var.domain_name
  certificate_arn = var.dr_certificate_arn
  zone_id         = var.hosted_zone_id
  rest_api_id     = module.service_dr.rest_api_id
  stage_name      = module.service_dr.api_stage_name
  failover_role   = "SECONDARY"
  tags            = local.tags
}

module "monitoring_dr" {
  source    = "../../modules/monitoring"
  providers = { aws = aws.dr }

  alerts_topic_name = "bbws-alerts-${var.environment}"
  alert_emails      = var.alert_emails
  dlq_names         = module.messaging_dr.dlq_names
  function_names    = module.service_dr.function_names
  api_name          = module.service_dr.rest_api_name
  api_stage_name    = module.service_dr.api_stage_name
  kms_key_arn       = module.kms_dr.key_arn
  tags              = local.tags
}
