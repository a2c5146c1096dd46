variable "name" {
  description = "Secret name (bbws-order-cursor-key-{env}, the stage's CURSOR_SECRET_ID)."
  type        = string
}

variable "kms_key_arn" {
  description = "Customer-managed key encrypting the secret."
  type        = string
}

variable "secret_version" {
  description = "Bump to generate a new key (outstanding cursors then fail with 400)."
  type        = number
  default     = 1
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 30
}

variable "replicas" {
  description = "Replica regions to their KMS key ARN (PROD: eu-west-1, for the DR stack)."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags for the secret."
  type        = map(string)
  default     = {}
}
