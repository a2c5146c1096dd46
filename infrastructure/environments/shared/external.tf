# What dev, sit and prod take from outside this stack: the customer portal's Cognito pool (the
# API's authorizer) and the custom domain (docs/deploy.md, bootstrap). A developer's sandbox
# has neither: sandbox/sandbox.tf makes its own pool and answers on the execute-api URL.

variable "cognito_user_pool_arn" {
  description = "The customer portal's Cognito user pool (the API's authorizer)."
  type        = string
}

variable "domain_name" {
  description = "The API's custom domain."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the custom domain, in the primary region."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of bbws.io."
  type        = string
}

locals {
  cognito_user_pool_arn = var.cognito_user_pool_arn
}

module "api_domain" {
  source          = "../../modules/api_domain"
  domain_name     = var.domain_name
  certificate_arn = var.certificate_arn
  zone_id         = var.hosted_zone_id
  rest_api_id     = module.service.rest_api_id
  stage_name      = module.service.api_stage_name
  failover_role   = local.standby_failover_role
  tags            = local.tags
}

output "api_url" {
  description = "The API behind its custom domain."
  value       = "https://${module.api_domain.domain_name}"
}
