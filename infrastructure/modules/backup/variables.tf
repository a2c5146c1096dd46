variable "name" {
  description = "Name of the vault and the plan (bbws-order-lambda-{env})."
  type        = string
}

variable "resource_arns" {
  description = "What is backed up every hour (the orders table)."
  type        = list(string)
}

variable "retention_days" {
  description = "How long each hourly backup is kept."
  type        = number
  default     = 7
}

variable "kms_key_arn" {
  description = "Customer-managed key of the vault."
  type        = string
}

variable "tags" {
  description = "Tags for every resource of the module."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the backup role (bbws-order-boundary, infrastructure/bootstrap)."
  type        = string
  default     = null
}
