variable "environment" {
  description = "dev, sit or prod."
  type        = string
}

variable "orders_bucket_name" {
  description = "Invoice bucket (bbws-orders-{env}; the DR copy has its own name)."
  type        = string
}

variable "templates_bucket_name" {
  description = "Email template bucket (bbws-email-templates-{env})."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key for SSE-KMS in this region."
  type        = string
}

variable "retention_days" {
  description = "Days a document stays current before it expires (7 years). Templates never expire."
  type        = number
  default     = 2555
}

variable "glacier_transition_days" {
  description = "Days before documents move to Glacier Instant Retrieval (PROD: 730); null keeps them in STANDARD. Templates never move."
  type        = number
  default     = null
}

variable "noncurrent_version_retention_days" {
  description = "Days a replaced or deleted object version is kept."
  type        = number
  default     = 90
}

variable "templates_source_dir" {
  description = "Directory whose **/*.html files are uploaded as the email templates; null uploads none (DR buckets receive them by replication)."
  type        = string
  default     = null
}

variable "attach_tls_only_policy" {
  description = "Deny every request without TLS 1.2+. false only for emulators that ignore policy conditions (moto then denies everything)."
  type        = bool
  default     = true
}

variable "replication" {
  description = "PROD: the DR buckets (orders, templates) and the DR region's KMS key to replicate to; null for none."
  type = object({
    destination_bucket_arns = map(string)
    destination_kms_key_arn = string
  })
  default = null
}

variable "force_destroy" {
  description = "Delete every object version when the bucket is destroyed (a developer's sandbox only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for the buckets."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the replication role (bbws-order-boundary, infrastructure/bootstrap)."
  type        = string
  default     = null
}
