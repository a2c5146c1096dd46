variable "table_name" {
  description = "Name of the orders table (bbws-customer-portal-orders-{env})."
  type        = string
}

variable "point_in_time_recovery_days" {
  description = "Point-in-time recovery window: 7 (dev), 14 (sit), 35 (prod)."
  type        = number

  validation {
    condition     = var.point_in_time_recovery_days >= 1 && var.point_in_time_recovery_days <= 35
    error_message = "DynamoDB keeps point-in-time recovery for 1 to 35 days."
  }
}

variable "deletion_protection" {
  description = "Refuse DeleteTable (on in PROD)."
  type        = bool
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the table."
  type        = string
}

variable "replicas" {
  description = "Global table replicas: region name to that region's KMS key ARN (PROD: eu-west-1)."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for the table."
  type        = map(string)
  default     = {}
}
