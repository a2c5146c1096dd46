output "api_invoke_url" {
  description = "The stage's execute-api URL (bypasses the custom domain)."
  value       = module.service.api_invoke_url
}

output "function_names" {
  description = "Deployed function names."
  value       = module.service.function_names
}

output "queue_urls" {
  description = "Work queue URL per function."
  value       = module.messaging.queue_urls
}

output "dlq_names" {
  description = "Dead-letter queue per function."
  value       = module.messaging.dlq_names
}

output "alerts_topic_arn" {
  description = "Where the alarms go."
  value       = module.monitoring.alerts_topic_arn
}
