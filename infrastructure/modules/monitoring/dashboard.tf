# One CloudWatch dashboard per stack (region): the business flow first (orders accepted vs
# created, invoices, emails, failures: the service's EMF metrics in BBWS/Orders), then the
# API, the functions and the queues, and the latest errors from all five log groups.

data "aws_region" "current" {}

locals {
  region    = data.aws_region.current.name
  namespace = "BBWS/Orders"
  # The EMF metrics' dimensions: the function's logical name and the service (chalicelib/metrics.py).
  emf        = { for key, _ in var.function_names : key => ["function", key, "service", "bbws-order-lambda"] }
  processors = [for key in keys(var.function_names) : key if key != "api_handler"]
  senders    = ["order_internal_notification_sender", "customer_order_confirmation_sender"]
  api_metric = ["ApiName", var.api_name, "Stage", var.api_stage_name]

  widgets = [
    {
      type = "metric", x = 0, y = 0, width = 8, height = 6
      properties = {
        title  = "Orders accepted (API) vs created (record writer)"
        region = local.region, view = "timeSeries", stat = "Sum", period = 60
        metrics = [
          [local.namespace, "OrdersAccepted", "function", "api", "service", "bbws-order-lambda", { label = "accepted" }],
          concat([local.namespace, "OrdersCreated"], local.emf["order_creator_record"], [{ label = "created" }]),
        ]
      }
    },
    {
      type = "metric", x = 8, y = 0, width = 8, height = 6
      properties = {
        title  = "Documents rendered, render time, support re-renders"
        region = local.region, view = "timeSeries", period = 60
        metrics = [
          concat([local.namespace, "InvoicesRendered"], local.emf["order_pdf_creator"], [{ stat = "Sum", label = "rendered" }]),
          concat([local.namespace, "InvoiceRenderTime"], local.emf["order_pdf_creator"], [{ stat = "p95", label = "render p95 (ms)", yAxis = "right" }]),
          # Support (ADR 0024): re-renders an admin asked for, and requests the order moved past.
          concat([local.namespace, "DocumentsRerendered"], local.emf["order_pdf_creator"], [{ stat = "Sum", label = "re-rendered on request" }]),
          concat([local.namespace, "SupportRequestsSkipped"], local.emf["order_pdf_creator"], [{ stat = "Sum", label = "support requests skipped" }]),
        ]
      }
    },
    {
      type = "metric", x = 16, y = 0, width = 8, height = 6
      properties = {
        title   = "Emails sent"
        region  = local.region, view = "timeSeries", stat = "Sum", period = 60
        metrics = [for key in local.senders : concat([local.namespace, "EmailsSent"], local.emf[key], [{ label = key }])]
      }
    },
    {
      type = "metric", x = 16, y = 6, width = 8, height = 6
      properties = {
        title   = "Processing failures (retried, then dead-lettered)"
        region  = local.region, view = "timeSeries", stat = "Sum", period = 60
        metrics = [for key in local.processors : concat([local.namespace, "ProcessingFailures"], local.emf[key], [{ label = key }])]
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 8, height = 6
      properties = {
        title  = "API requests and errors"
        region = local.region, view = "timeSeries", stat = "Sum", period = 60
        metrics = [
          concat(["AWS/ApiGateway", "Count"], local.api_metric),
          concat(["AWS/ApiGateway", "4XXError"], local.api_metric),
          concat(["AWS/ApiGateway", "5XXError"], local.api_metric),
        ]
      }
    },
    {
      type = "metric", x = 8, y = 6, width = 8, height = 6
      properties = {
        title  = "API latency"
        region = local.region, view = "timeSeries", period = 60
        metrics = [
          concat(["AWS/ApiGateway", "Latency"], local.api_metric, [{ stat = "p50" }]),
          concat(["AWS/ApiGateway", "Latency"], local.api_metric, [{ stat = "p99" }]),
        ]
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 8, height = 6
      properties = {
        title  = "Function errors and throttles"
        region = local.region, view = "timeSeries", stat = "Sum", period = 60
        metrics = concat(
          [for key, name in var.function_names : ["AWS/Lambda", "Errors", "FunctionName", name]],
          [for key, name in var.function_names : ["AWS/Lambda", "Throttles", "FunctionName", name]],
        )
      }
    },
    {
      type = "metric", x = 8, y = 12, width = 8, height = 6
      properties = {
        title   = "Function duration p95"
        region  = local.region, view = "timeSeries", stat = "p95", period = 60
        metrics = [for key, name in var.function_names : ["AWS/Lambda", "Duration", "FunctionName", name]]
      }
    },
    {
      type = "metric", x = 16, y = 12, width = 8, height = 6
      properties = {
        title   = "Oldest message in each work queue (s)"
        region  = local.region, view = "timeSeries", stat = "Maximum", period = 60
        metrics = [for key, name in var.queue_names : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", name]]
      }
    },
    {
      type = "metric", x = 0, y = 18, width = 8, height = 6
      properties = {
        title   = "Dead-letter queues (runbook: docs/runbooks/dlq-alarm.md)"
        region  = local.region, view = "timeSeries", stat = "Maximum", period = 60
        metrics = [for key, name in var.dlq_names : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name]]
      }
    },
    {
      type = "log", x = 8, y = 18, width = 16, height = 6
      properties = {
        title  = "Latest errors, all functions (one order's story: docs/runbooks/order-story.md)"
        region = local.region, view = "table"
        query  = "SOURCE ${join(" | SOURCE ", [for name in values(var.function_names) : "'/aws/lambda/${name}'"])} | fields @timestamp, function, correlation_id, order_id, message | filter level = 'ERROR' | sort @timestamp desc | limit 50"
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "service" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
