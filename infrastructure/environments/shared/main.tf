# One environment of the BBWS Order service, shared by dev, sit, prod and a developer's sandbox
# (each links to this file; their own are backend.tf and {env}.tfvars). `make package STAGE=<env>` writes ./service
# (the Chalice functions and API, fixed by scripts/package.py); everything else is the modules.
# The standby_* locals say whether a DR region stands by: none in single_region.tf (dev, sit,
# sandbox), eu-west-1 in prod/dr.tf. What comes from outside (the portal's Cognito pool, the
# custom domain) is external.tf in dev, sit and prod; a sandbox makes its own pool and has no
# domain (sandbox/sandbox.tf, docs/sandbox.md).

locals {
  names     = module.service.resource_names
  templates = "${path.root}/../../../chalicelib/templates/email"
  tags      = var.tags # Service, Environment and ManagedBy come from the provider's default_tags
  regions   = concat([var.region], local.standby_regions)
  ses_identity_arns = [
    for region in local.regions : "arn:aws:ses:${region}:${var.account_id}:identity/${var.ses_identity}"
  ]
  # Every role this stack creates carries it; the deploy role may create roles only with it
  # (infrastructure/bootstrap: the account administrators create both policies once).
  permissions_boundary_arn = "arn:aws:iam::${var.account_id}:policy/bbws-order-boundary"
}

module "kms" {
  source                  = "../../modules/kms"
  environment             = var.environment
  deletion_window_in_days = var.disposable ? 7 : 30
  tags                    = local.tags
}

module "dynamodb" {
  source                      = "../../modules/dynamodb"
  table_name                  = local.names.table
  point_in_time_recovery_days = var.point_in_time_recovery_days
  deletion_protection         = var.deletion_protection
  kms_key_arn                 = module.kms.key_arn
  replicas                    = local.standby_kms_key_arns
  tags                        = local.tags
}

module "messaging" {
  source               = "../../modules/messaging"
  consumers            = module.service.consumers
  topic_name           = local.names.events_topic
  stream_dlq_name      = local.names.stream_dlq
  queue_retention_days = var.queue_retention_days
  dlq_retention_days   = var.dlq_retention_days
  kms_key_arn          = module.kms.key_arn
  tags                 = local.tags
}

module "storage" {
  source                  = "../../modules/storage"
  environment             = var.environment
  orders_bucket_name      = local.names.orders_bucket
  templates_bucket_name   = local.names.templates_bucket
  glacier_transition_days = var.glacier_transition_days
  templates_source_dir    = local.templates
  kms_key_arn             = module.kms.key_arn
  replication             = local.standby_storage_replication
  force_destroy           = var.disposable
  tags                    = local.tags

  permissions_boundary_arn = local.permissions_boundary_arn
}

module "cursor_secret" {
  source      = "../../modules/cursor_secret"
  name        = local.names.cursor_secret
  kms_key_arn = module.kms.key_arn
  replicas    = local.standby_kms_key_arns
  tags        = local.tags

  recovery_window_in_days = var.disposable ? 0 : 30
}

module "iam" {
  source         = "../../modules/iam"
  function_names = module.service.function_names
  # Roles are global: every list holds this region's resource and the standby region's.
  regions               = local.regions
  table_arns            = concat([module.dynamodb.table_arn], values(module.dynamodb.replica_table_arns))
  queue_arns            = { for name, arn in module.messaging.queue_arns : name => concat([arn], [for q in local.standby_queue_arns : q[name]]) }
  topic_arns            = concat([module.messaging.topic_arn], local.standby_topic_arns)
  stream_arns           = concat([module.dynamodb.stream_arn], local.standby_stream_arns)
  stream_dlq_arns       = concat([module.messaging.stream_dlq_arn], local.standby_stream_dlq_arns)
  orders_bucket_arns    = concat([module.storage.bucket_arns["orders"]], [for b in local.standby_bucket_arns : b["orders"]])
  templates_bucket_arns = concat([module.storage.bucket_arns["templates"]], [for b in local.standby_bucket_arns : b["templates"]])
  # Secrets Manager replicas keep the primary's name; only the region changes.
  cursor_secret_arns = [
    for region in local.regions : replace(module.cursor_secret.secret_arn, ":${var.region}:", ":${region}:")
  ]
  ses_identity_arns = local.ses_identity_arns
  kms_key_arns      = concat([module.kms.key_arn], values(local.standby_kms_key_arns))
  tags              = local.tags

  permissions_boundary_arn = local.permissions_boundary_arn
}

module "service" {
  source                   = "./service"
  environment              = var.environment
  cognito_user_pool_arn    = local.cognito_user_pool_arn
  function_role_arns       = module.iam.role_arns
  queue_arns               = module.messaging.queue_arns
  orders_stream_arn        = module.dynamodb.stream_arn
  stream_failure_queue_arn = module.messaging.stream_dlq_arn
  kms_key_arn              = module.kms.key_arn
  log_retention_days       = var.log_retention_days
  throttling_rate_limit    = var.throttling_rate_limit
  throttling_burst_limit   = var.throttling_burst_limit
  cors_allowed_origins     = var.cors_allowed_origins
  waf_rate_limit_per_ip    = var.waf_rate_limit_per_ip
  waf_trusted_cidrs        = var.waf_trusted_cidrs
  tags                     = local.tags
  lambda_environment = merge(var.settings, {
    ORDER_EVENTS_TOPIC_ARN = module.messaging.topic_arn
  })
}

module "monitoring" {
  source            = "../../modules/monitoring"
  alerts_topic_name = "bbws-alerts-${var.environment}"
  alert_emails      = var.alert_emails
  dashboard_name    = "bbws-order-lambda-${var.environment}"
  # PROD: the global table's replication to the DR region, alarmed above 5 s (section 7.1).
  replication = length(local.standby_regions) == 0 ? null : {
    table_name           = module.dynamodb.table_name
    receiving_regions    = local.standby_regions
    latency_threshold_ms = var.replication_latency_threshold_ms
  }
  queue_names          = module.messaging.queue_names
  dlq_names            = merge(module.messaging.dlq_names, { order_status_stream = module.messaging.stream_dlq_name })
  stream_function_name = module.service.function_names["order_status_stream"]
  function_names       = module.service.function_names
  api_name             = module.service.rest_api_name
  api_stage_name       = module.service.api_stage_name
  kms_key_arn          = module.kms.key_arn
  tags                 = local.tags
}

module "budget" {
  source            = "../../modules/budget"
  name              = "bbws-order-lambda-${var.environment}"
  monthly_limit_usd = var.monthly_budget_usd
  emails            = var.alert_emails
  tags              = local.tags
}
