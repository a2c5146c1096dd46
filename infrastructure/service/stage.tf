# The stage Chalice would create implicitly through the deployment (gone in AWS provider 6):
# explicit here, with access logs, X-Ray and the per-environment throttling.

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/bbws-order-lambda-${var.environment}/access"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

# nosemgrep: missing-api-gateway-cache-cluster -- every answer is for one caller's tenant and changes with each write; a cache keyed by the token would hold tenant data for nothing, billed by the hour
resource "aws_api_gateway_stage" "this" {
  rest_api_id          = aws_api_gateway_rest_api.rest_api.id
  deployment_id        = aws_api_gateway_deployment.rest_api.id
  stage_name           = var.api_stage_name
  xray_tracing_enabled = true
  tags                 = var.tags

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      requestTime    = "$context.requestTimeEpoch"
      httpMethod     = "$context.httpMethod"
      resourcePath   = "$context.resourcePath"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latencyMs      = "$context.responseLatency"
      errorType      = "$context.error.responseType"
      tenantId       = "$context.authorizer.claims.custom:tenantId"
    })
  }

  #checkov:skip=CKV_AWS_120:No response cache: every response depends on the caller's tenant and token; a path-keyed cache would leak across tenants.
  #checkov:skip=CKV2_AWS_29:The web ACL below is attached by aws_wafv2_web_acl_association.this; checkov does not follow the association into this module.
  #checkov:skip=CKV2_AWS_77:The attached web ACL runs AWSManagedRulesKnownBadInputsRuleSet (Log4j); checkov does not follow the association.
  #checkov:skip=CKV2_AWS_51:Public API for browser clients authenticated by Cognito; mutual TLS does not apply.
}

# The whole stage's throttle, and a ceiling of their own, far lower, for the admins' support
# actions (they queue renders and emails), besides the service's once-per-window per order
# (docs/adr/0024).
locals {
  method_throttles = {
    "*/*"                                          = [var.throttling_rate_limit, var.throttling_burst_limit]
    "v1.0/orders/{orderId}/rerender-document/POST" = [var.support_throttling_rate_limit, var.support_throttling_burst_limit]
    "v1.0/orders/{orderId}/resend-email/POST"      = [var.support_throttling_rate_limit, var.support_throttling_burst_limit]
  }
}

resource "aws_api_gateway_method_settings" "this" {
  #checkov:skip=CKV_AWS_225:No response cache: responses depend on the caller's tenant and token (see the stage).
  for_each = local.method_throttles

  rest_api_id = aws_api_gateway_rest_api.rest_api.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = each.key

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false
    throttling_rate_limit  = each.value[0]
    throttling_burst_limit = each.value[1]
  }
}

moved {
  from = aws_api_gateway_method_settings.all
  to   = aws_api_gateway_method_settings.this["*/*"]
}

# A regional web ACL in front of the stage: AWS's common and known-bad-input rules and a per-IP
# rate limit below the stage throttle, so one client cannot take the whole stage's budget.
resource "aws_wafv2_web_acl" "this" {
  name  = "bbws-order-lambda-${var.environment}"
  scope = "REGIONAL"
  tags  = var.tags

  default_action {
    allow {}
  }

  rule {
    name     = "aws-common"
    priority = 10
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesCommonRuleSet"
        vendor_name = "AWS"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-common"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "aws-known-bad-inputs"
    priority = 20
    override_action {
      none {}
    }
    statement {
      managed_rule_group_statement {
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
        vendor_name = "AWS"
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "aws-known-bad-inputs"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "per-ip-rate"
    priority = 30
    action {
      block {}
    }
    statement {
      rate_based_statement {
        limit              = var.waf_rate_limit_per_ip
        aggregate_key_type = "IP"

        # The allow-list (CI's load tests and smoke runs from one NAT address) is never counted.
        dynamic "scope_down_statement" {
          for_each = aws_wafv2_ip_set.trusted
          content {
            not_statement {
              statement {
                ip_set_reference_statement {
                  arn = scope_down_statement.value.arn
                }
              }
            }
          }
        }
      }
    }
    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "per-ip-rate"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = "bbws-order-lambda-${var.environment}"
    sampled_requests_enabled   = true
  }
}

# Addresses the per-IP rate limit does not apply to (waf_trusted_cidrs; none by default).
resource "aws_wafv2_ip_set" "trusted" {
  count = length(var.waf_trusted_cidrs) > 0 ? 1 : 0

  name               = "bbws-order-api-trusted-${var.environment}"
  description        = "Not rate-limited per IP: the CI runners' NAT addresses."
  scope              = "REGIONAL"
  ip_address_version = "IPV4"
  addresses          = var.waf_trusted_cidrs
  tags               = var.tags
}

resource "aws_wafv2_web_acl_association" "this" {
  resource_arn = aws_api_gateway_stage.this.arn
  web_acl_arn  = aws_wafv2_web_acl.this.arn
}

resource "aws_cloudwatch_log_group" "waf" {
  name              = "aws-waf-logs-bbws-order-lambda-${var.environment}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = var.tags
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }
}
