variable "name" {
  description = "The budget's name (bbws-order-lambda-{env})."
  type        = string
}

variable "monthly_limit_usd" {
  description = "Monthly cost budget in USD."
  type        = number
  validation {
    condition     = var.monthly_limit_usd > 0
    error_message = "The budget must be positive."
  }
}

variable "service_tag" {
  description = "Value of the Service cost allocation tag this budget counts."
  type        = string
  default     = "bbws-order-lambda"
}

variable "emails" {
  description = "Who is told when the spend or the forecast passes a threshold."
  type        = list(string)
}

variable "tags" {
  description = "Tags for the budget."
  type        = map(string)
  default     = {}
}
