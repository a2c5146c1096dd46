output "domain_name" {
  description = "The custom domain."
  value       = aws_api_gateway_domain_name.this.domain_name
}

output "regional_domain_name" {
  description = "API Gateway's regional target of the custom domain."
  value       = aws_api_gateway_domain_name.this.regional_domain_name
}

output "health_check_id" {
  description = "Route 53 health check of this region (failover only)."
  value       = one(aws_route53_health_check.this[*].id)
}
