# PROD only: hourly backups of the orders table in the primary region (requirements section 5.3).
module "backup" {
  source        = "../../modules/backup"
  name          = "bbws-order-lambda-${var.environment}"
  resource_arns = [module.dynamodb.table_arn]
  kms_key_arn   = module.kms.key_arn
  tags          = local.tags

  permissions_boundary_arn = local.permissions_boundary_arn
}
