variable "function_names" {
  description = "Deployed name per function (api_handler and the four processors)."
  type        = map(string)

  validation {
    condition     = alltrue([for f in ["api_handler", "order_creator_record", "order_pdf_creator", "order_internal_notification_sender", "customer_order_confirmation_sender", "order_status_stream"] : contains(keys(var.function_names), f)])
    error_message = "Every function of app.py needs a name."
  }
}

variable "regions" {
  description = "Regions the functions run in (PROD: af-south-1 and eu-west-1)."
  type        = list(string)
}

variable "table_arns" {
  description = "The orders table in every region (global table replicas included)."
  type        = list(string)
}

variable "queue_arns" {
  description = "Per SQS-triggered function, its work queue in every region."
  type        = map(list(string))
}

variable "topic_arns" {
  description = "The OrderCreated fan-out topic in every region."
  type        = list(string)
}

variable "orders_bucket_arns" {
  description = "The invoice bucket in every region."
  type        = list(string)
}

variable "templates_bucket_arns" {
  description = "The email template bucket in every region."
  type        = list(string)
}

variable "cursor_secret_arns" {
  description = "The cursor-signing secret (and its replicas)."
  type        = list(string)
}

variable "ses_identity_arns" {
  description = "SES identities the senders send from."
  type        = list(string)
}

variable "kms_key_arns" {
  description = "The customer-managed key of every region."
  type        = list(string)
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary the account requires on roles, if any."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for the roles."
  type        = map(string)
  default     = {}
}

variable "stream_arns" {
  description = "The orders table's stream in each region (the stream consumer reads its own region's)."
  type        = list(string)
}

variable "stream_dlq_arns" {
  description = "The stream consumer's on-failure queue in each region."
  type        = list(string)
}
