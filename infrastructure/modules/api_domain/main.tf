# The stage behind its custom domain (api-dev.bbws.io, api-sit.bbws.io, api.bbws.io), TLS 1.2
# minimum, and its Route 53 records. In PROD the record is a failover pair: af-south-1 PRIMARY
# and eu-west-1 SECONDARY, each with a health check on /health (30 s, threshold 2).

data "aws_region" "current" {}

locals {
  failover = var.failover_role != null
  # Checked on the region's own endpoint, not the custom domain (which resolves to the failover).
  health_check_fqdn = "${var.rest_api_id}.execute-api.${data.aws_region.current.name}.amazonaws.com"
}

resource "aws_api_gateway_domain_name" "this" {
  domain_name              = var.domain_name
  regional_certificate_arn = var.certificate_arn
  security_policy          = var.security_policy
  tags                     = var.tags

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_base_path_mapping" "this" {
  api_id      = var.rest_api_id
  stage_name  = var.stage_name
  domain_name = aws_api_gateway_domain_name.this.domain_name
}

resource "aws_route53_health_check" "this" {
  count = local.failover ? 1 : 0

  fqdn              = local.health_check_fqdn
  port              = 443
  type              = "HTTPS"
  resource_path     = "/${var.stage_name}/health"
  request_interval  = var.health_check_interval_seconds
  failure_threshold = var.health_check_failure_threshold
  measure_latency   = true
  tags              = merge(var.tags, { Name = "${var.domain_name} ${data.aws_region.current.name}" })
}

resource "aws_route53_record" "this" {
  for_each = toset(["A", "AAAA"])

  zone_id         = var.zone_id
  name            = var.domain_name
  type            = each.value
  set_identifier  = local.failover ? "${var.failover_role}-${data.aws_region.current.name}" : null
  health_check_id = local.failover ? aws_route53_health_check.this[0].id : null

  alias {
    name                   = aws_api_gateway_domain_name.this.regional_domain_name
    zone_id                = aws_api_gateway_domain_name.this.regional_zone_id
    evaluate_target_health = local.failover
  }

  dynamic "failover_routing_policy" {
    for_each = local.failover ? [var.failover_role] : []
    content {
      type = failover_routing_policy.value
    }
  }
}
