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

variable "dr_region" {
  description = "Disaster-recovery region (eu-west-1): table replica, bucket replicas, standby stack."
  type        = string
}

variable "dr_certificate_arn" {
  description = "ACM certificate in the DR region covering the custom domain and dr_domain_name."
  type        = string
}

variable "dr_domain_name" {
  description = "The DR API's own name (api-dr.bbws.io), for drills and smoke tests."
  type        = string
}

# What main.tf wires to the standby region (dev and sit: single_region.tf, all empty).
locals {
  standby_regions         = [var.dr_region]
  standby_kms_key_arns    = { (var.dr_region) = module.kms_dr.key_arn }
  standby_queue_arns      = [module.messaging_dr.queue_arns]
  standby_stream_arns     = [module.dynamodb.replica_stream_arns[var.dr_region]]
  standby_stream_dlq_arns = [module.messaging_dr.stream_dlq_arn]
  standby_topic_arns      = [module.messaging_dr.topic_arn]
  standby_bucket_arns     = [module.storage_dr.bucket_arns]
  standby_storage_replication = {
    destination_bucket_arns = module.storage_dr.bucket_arns
    destination_kms_key_arn = module.kms_dr.key_arn
  }
  standby_failover_role = "PRIMARY"
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
  stream_dlq_name      = local.names.stream_dlq
  queue_retention_days = var.queue_retention_days
  dlq_retention_days   = var.dlq_retention_days
  kms_key_arn          = module.kms_dr.key_arn
  tags                 = local.tags
}

module "storage_dr" {
  source    = "../../modules/storage"
  providers = { aws = aws.dr }

  environment = var.environment
  # The requirements' DR names (section 5.3): bbws-orders-prod-dr, bbws-email-templates-prod-dr.
  orders_bucket_name      = "${local.names.orders_bucket}-dr"
  templates_bucket_name   = "${local.names.templates_bucket}-dr"
  glacier_transition_days = var.glacier_transition_days
  kms_key_arn             = module.kms_dr.key_arn
  tags                    = local.tags
  # No uploads: the templates arrive by replication from af-south-1.
}

module "service_dr" {
  source    = "./service"
  providers = { aws = aws.dr }

  environment              = var.environment
  cognito_user_pool_arn    = local.cognito_user_pool_arn
  function_role_arns       = module.iam.role_arns
  queue_arns               = module.messaging_dr.queue_arns
  orders_stream_arn        = module.dynamodb.replica_stream_arns[var.dr_region]
  stream_failure_queue_arn = module.messaging_dr.stream_dlq_arn
  kms_key_arn              = module.kms_dr.key_arn
  log_retention_days       = var.log_retention_days
  throttling_rate_limit    = var.throttling_rate_limit
  throttling_burst_limit   = var.throttling_burst_limit
  cors_allowed_origins     = var.cors_allowed_origins
  waf_rate_limit_per_ip    = var.waf_rate_limit_per_ip
  waf_trusted_cidrs        = var.waf_trusted_cidrs
  tags                     = local.tags
  lambda_environment = merge(var.settings, {
    ORDER_EVENTS_TOPIC_ARN = module.messaging_dr.topic_arn
    ORDERS_BUCKET_NAME     = module.storage_dr.bucket_names["orders"]
    TEMPLATES_BUCKET_NAME  = module.storage_dr.bucket_names["templates"]
  })
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

# The DR API under its own name (requirements section 5.3: api-dr.bbws.io), a simple record
# beside the failover pair: drills and smoke tests reach the standby directly, whatever
# api.bbws.io resolves to. The DR certificate covers both names.
module "api_domain_dr_direct" {
  source    = "../../modules/api_domain"
  providers = { aws = aws.dr }

  domain_name     = var.dr_domain_name
  certificate_arn = var.dr_certificate_arn
  zone_id         = var.hosted_zone_id
  rest_api_id     = module.service_dr.rest_api_id
  stage_name      = module.service_dr.api_stage_name
  failover_role   = null
  tags            = local.tags
}

module "monitoring_dr" {
  source    = "../../modules/monitoring"
  providers = { aws = aws.dr }

  alerts_topic_name = "bbws-alerts-${var.environment}"
  alert_emails      = var.alert_emails
  dashboard_name    = "bbws-order-lambda-${var.environment}-${var.dr_region}"
  # Active/active: the DR region's writes replicate back to the primary.
  replication = {
    table_name           = module.dynamodb.table_name
    receiving_regions    = [var.region]
    latency_threshold_ms = var.replication_latency_threshold_ms
  }
  queue_names          = module.messaging_dr.queue_names
  dlq_names            = merge(module.messaging_dr.dlq_names, { order_status_stream = module.messaging_dr.stream_dlq_name })
  stream_function_name = module.service_dr.function_names["order_status_stream"]
  function_names       = module.service_dr.function_names
  api_name             = module.service_dr.rest_api_name
  api_stage_name       = module.service_dr.api_stage_name
  kms_key_arn          = module.kms_dr.key_arn
  tags                 = local.tags
}

output "dr_api_invoke_url" {
  description = "The DR stack's execute-api URL (eu-west-1)."
  value       = module.service_dr.api_invoke_url
}
