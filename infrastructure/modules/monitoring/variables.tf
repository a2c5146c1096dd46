variable "alerts_topic_name" {
  description = "SNS topic the alarms notify (bbws-alerts-{env})."
  type        = string
}

variable "alert_emails" {
  description = "Addresses subscribed to the alerts topic (each confirms by email)."
  type        = list(string)
  default     = []
}

variable "dlq_names" {
  description = "Dead-letter queue name per function: each gets an alarm on any message."
  type        = map(string)
}

variable "function_names" {
  description = "Deployed function name per function: errors and throttles alarms."
  type        = map(string)
}

variable "api_name" {
  description = "REST API name (the ApiName dimension)."
  type        = string
}

variable "api_stage_name" {
  description = "API Gateway stage (the Stage dimension)."
  type        = string
}

variable "function_error_threshold" {
  description = "Failed invocations per 5 minutes that raise the alarm."
  type        = number
  default     = 0
}

variable "api_5xx_threshold" {
  description = "5xx answers per 5 minutes that raise the alarm."
  type        = number
  default     = 0
}

variable "api_p99_latency_ms" {
  description = "p99 latency (ms) that raises the alarm."
  type        = number
  default     = 1500
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the alerts topic."
  type        = string
}

variable "tags" {
  description = "Tags for the topic and alarms."
  type        = map(string)
  default     = {}
}

variable "dashboard_name" {
  description = "Name of the CloudWatch dashboard (bbws-order-lambda-{env}[-{region}])."
  type        = string
}

variable "queue_names" {
  description = "Work queue name per function: the dashboard's queue-age widget."
  type        = map(string)
}

variable "cart_error_threshold" {
  description = "Cart service failures (timeouts, 5xx, an open breaker) per 5 minutes before the alarm"
  type        = number
  default     = 10
}

variable "stream_function_name" {
  description = "The table's stream consumer (its IteratorAge is alarmed); null: none."
  type        = string
  default     = null
}

variable "stream_iterator_age_ms" {
  description = "How far behind the stream consumer may fall before the alarm (milliseconds)."
  type        = number
  default     = 60000
}

variable "replication" {
  description = "PROD: the global table and the regions this region replicates to (ReplicationLatency is published by the sending region); null: no replica."
  type = object({
    table_name           = string
    receiving_regions    = list(string)
    latency_threshold_ms = number
  })
  default = null
}
