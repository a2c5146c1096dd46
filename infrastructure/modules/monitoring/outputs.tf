output "alerts_topic_arn" {
  description = "ARN of bbws-alerts-{env}."
  value       = aws_sns_topic.alerts.arn
}

output "alarm_names" {
  description = "Every alarm this module created."
  value = concat(
    [for a in aws_cloudwatch_metric_alarm.dlq : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.function : a.alarm_name],
    [aws_cloudwatch_metric_alarm.api_5xx.alarm_name, aws_cloudwatch_metric_alarm.api_p99_latency.alarm_name],
  )
}

output "dashboard_name" {
  description = "The service dashboard."
  value       = aws_cloudwatch_dashboard.service.dashboard_name
}
