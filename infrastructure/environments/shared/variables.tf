variable "environment" {
  description = "dev, sit or prod: the suffix of every resource name."
  type        = string

  validation {
    condition     = contains(["dev", "sit", "prod"], var.environment)
    error_message = "environment is dev, sit or prod."
  }
}

variable "account_id" {
  description = "The AWS account of this environment; the provider refuses any other."
  type        = string
}

variable "region" {
  description = "Primary region."
  type        = string
}

variable "cognito_user_pool_arn" {
  description = "The customer portal's Cognito user pool (the API's authorizer)."
  type        = string
}

variable "domain_name" {
  description = "The API's custom domain."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate of the custom domain, in the primary region."
  type        = string
}

variable "hosted_zone_id" {
  description = "Route 53 hosted zone of bbws.io."
  type        = string
}

variable "ses_identity" {
  description = "Verified SES identity (domain) the emails are sent from."
  type        = string
}

variable "point_in_time_recovery_days" {
  description = "DynamoDB point-in-time recovery window (7 / 14 / 35)."
  type        = number
}

variable "deletion_protection" {
  description = "DynamoDB deletion protection (PROD)."
  type        = bool
}

variable "queue_retention_days" {
  description = "Work queue message retention (4 / 4 / 14)."
  type        = number
}

variable "dlq_retention_days" {
  description = "Dead-letter queue message retention (7 / 14 / 14)."
  type        = number
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the functions and the API."
  type        = number
}

variable "glacier_transition_days" {
  description = "Days before bucket objects move to Glacier (PROD: 730); null keeps them in STANDARD."
  type        = number
  default     = null
}

variable "throttling_rate_limit" {
  description = "API stage steady-state rate, requests per second (1,000 / 5,000 / 10,000)."
  type        = number
}

variable "throttling_burst_limit" {
  description = "API stage burst (2,000 / 10,000 / 20,000)."
  type        = number
}

variable "alert_emails" {
  description = "Who receives the alarms of bbws-alerts-{env}."
  type        = list(string)
  default     = []
}

variable "cors_allowed_origins" {
  description = "Origins a browser may call the API from, the stage's portal first (docs/adr/0017). Never '*'."
  type        = list(string)
  validation {
    condition = length(var.cors_allowed_origins) > 0 && alltrue([
      for origin in var.cors_allowed_origins :
      can(regex("^https://[a-z0-9.-]+(:[0-9]{1,5})?$", origin)) || can(regex("^http://(localhost|127\\.0\\.0\\.1)(:[0-9]{1,5})?$", origin))
    ])
    error_message = "Each origin is https://host[:port] in lower case, no path and no '*'; plain http only for localhost / 127.0.0.1."
  }
}

variable "tags" {
  description = "Extra tags for every resource (cost centre, owner)."
  type        = map(string)
  default     = {}
}
