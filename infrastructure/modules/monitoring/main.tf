# Alarms to bbws-alerts-{env}: any message in any DLQ, function errors and throttles, API 5xx
# and p99 latency. Runbooks: docs/runbooks/. The dashboard: dashboard.tf.

resource "aws_sns_topic" "alerts" {
  name              = var.alerts_topic_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_emails)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_metric_alarm" "dlq" {
  for_each = var.dlq_names

  alarm_name          = "${each.value}-not-empty"
  alarm_description   = "A message reached ${each.value}: see docs/runbooks/dlq-alarm.md"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

locals {
  # Per function: Lambda's errors and throttles, and the service's own signals of bad data (EMF in
  # BBWS/Orders): a stored order that no longer parses, an email SES refused for good (the
  # senders), and the Cart service failing the API's reads. The API publishes its EMF metrics as function "api" (chalicelib/api/problems.py).
  function_alarms = merge([
    for key, name in var.function_names : merge(
      {
        "${key}/Errors" = {
          name       = "${name}-errors", namespace = "AWS/Lambda", metric = "Errors",
          dimensions = { FunctionName = name }, threshold = var.function_error_threshold,
          what       = "${name}: failed invocations",
        }
        "${key}/Throttles" = {
          name       = "${name}-throttles", namespace = "AWS/Lambda", metric = "Throttles",
          dimensions = { FunctionName = name }, threshold = 0,
          what       = "${name}: throttled invocations",
        }
        "${key}/UnreadableItems" = {
          name       = "${name}-unreadableitems", namespace = local.namespace, metric = "UnreadableItems",
          dimensions = { function = key == "api_handler" ? "api" : key, service = "bbws-order-lambda" },
          threshold  = 0, what = "UnreadableItems > 0: see docs/runbooks/damaged-orders.md",
        }
      },
      key == "api_handler" ? {
        "${key}/CartErrors" = {
          name       = "${name}-carterrors", namespace = local.namespace, metric = "CartErrors",
          dimensions = { function = "api", service = "bbws-order-lambda" },
          threshold  = var.cart_error_threshold, what = "Cart service failures: see docs/runbooks/cart-service.md",
        }
      } : {},
      contains(local.senders, key) ? {
        "${key}/EmailsRefused" = {
          name       = "${name}-emailsrefused", namespace = local.namespace, metric = "EmailsRefused",
          dimensions = { function = key, service = "bbws-order-lambda" },
          threshold  = 0, what = "EmailsRefused > 0: see docs/runbooks/ses-bounces-throttling.md",
        }
      } : {},
    )
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.function_alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.what
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = each.value.threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.api_name}-5xx"
  alarm_description   = "The API answered 5xx"
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  dimensions          = { ApiName = var.api_name, Stage = var.api_stage_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.api_5xx_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "api_p99_latency" {
  alarm_name          = "${var.api_name}-p99-latency"
  alarm_description   = "p99 API latency above ${var.api_p99_latency_ms} ms for 3 of 5 minutes"
  namespace           = "AWS/ApiGateway"
  metric_name         = "Latency"
  dimensions          = { ApiName = var.api_name, Stage = var.api_stage_name }
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.api_p99_latency_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

# The stream consumer falling behind: documents and emails for status changes are late (the
# stream keeps records 24 hours; after that they are lost). Runbook: docs/runbooks/dlq-alarm.md.
resource "aws_cloudwatch_metric_alarm" "stream_iterator_age" {
  count = var.stream_function_name == null ? 0 : 1

  alarm_name          = "${var.stream_function_name}-iterator-age"
  alarm_description   = "The table's stream consumer is over ${var.stream_iterator_age_ms / 1000} s behind"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = var.stream_function_name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = var.stream_iterator_age_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}

# Requirements section 7.1: replication lag of the global table stays under 5 s. DynamoDB publishes
# ReplicationLatency in the region that sends, per receiving region; the DR region's monitoring
# watches the other direction (active/active).
resource "aws_cloudwatch_metric_alarm" "replication_latency" {
  for_each = var.replication == null ? toset([]) : toset(var.replication.receiving_regions)

  alarm_name          = "${var.replication.table_name}-replication-to-${each.value}"
  alarm_description   = "Replication to ${each.value} lags more than ${var.replication.latency_threshold_ms} ms: see docs/runbooks/dr-failover-drill.md"
  namespace           = "AWS/DynamoDB"
  metric_name         = "ReplicationLatency"
  dimensions          = { TableName = var.replication.table_name, ReceivingRegion = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.replication.latency_threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]
  tags                = var.tags
}
