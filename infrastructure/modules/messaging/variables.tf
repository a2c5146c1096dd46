variable "consumers" {
  description = "Per SQS-triggered function: queue and DLQ names, visibility timeout, maxReceiveCount, whether the fan-out topic feeds it."
  type = map(object({
    queue_name                 = string
    dlq_name                   = string
    visibility_timeout_seconds = number
    max_receive_count          = number
    fed_by_topic               = bool
  }))
}

variable "topic_name" {
  description = "Name of the OrderCreated fan-out topic (bbws-order-events-{env})."
  type        = string
}

variable "queue_retention_days" {
  description = "Message retention of the work queues: 4 (dev), 4 (sit), 14 (prod)."
  type        = number
}

variable "dlq_retention_days" {
  description = "Message retention of the dead-letter queues: 7 (dev), 14 (sit), 14 (prod)."
  type        = number
}

variable "restrict_redrive_sources" {
  description = "Allow only each DLQ's own source queue to dead-letter into it (off only for emulators without RedriveAllowPolicy)."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the queues and the topic."
  type        = string
}

variable "tags" {
  description = "Tags for the queues and the topic."
  type        = map(string)
  default     = {}
}

variable "stream_dlq_name" {
  description = "Name of the stream consumer's on-failure queue (bbws-order-status-stream-dlq-{env})."
  type        = string
}

variable "max_message_size" {
  description = "Every queue's MaximumMessageSize in bytes: AWS's default, kept explicit; the service keeps each event under it (chalicelib/models/wire.py, docs/aws-limits.md)."
  type        = number
  default     = 262144

  validation {
    condition     = var.max_message_size >= 1024 && var.max_message_size <= 1048576
    error_message = "SQS takes 1,024 to 1,048,576 bytes."
  }
}
