variable "environment" {
  description = "dev, sit, prod, or sbx-{id} for a developer's sandbox: the suffix of every resource name."
  type        = string

  validation {
    # 11 characters at most: the longest function name, bbws-order-lambda-customer-order-
    # confirmation-sender-{env}, and its role of the same name stay within IAM's and Lambda's 64.
    condition     = contains(["dev", "sit", "prod"], var.environment) || can(regex("^sbx-[a-z][a-z0-9]{1,6}$", var.environment))
    error_message = "environment is dev, sit, prod, or sbx-{id} with an id of 2 to 7 lower-case letters and digits (a letter first)."
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
  description = "Who receives the alarms of bbws-alerts-{env} and the budget's alerts (an address per person or a team list; a chat channel's email address works too)."
  type        = list(string)
  validation {
    condition     = length(var.alert_emails) > 0 && alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", e))])
    error_message = "At least one email address: alarms that reach nobody are no alarms."
  }
}

variable "monthly_budget_usd" {
  description = "The environment's monthly cost budget in USD (requirements section 5.1: 500 / 1,000 / 5,000)."
  type        = number
}

variable "replication_latency_threshold_ms" {
  description = "PROD: the global table's replication lag that raises the alarm (requirements section 7.1: 5 s)."
  type        = number
  default     = 5000
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

variable "waf_rate_limit_per_ip" {
  description = "Requests per 5 minutes one IP address may send before WAF blocks it."
  type        = number
  default     = 3000
}

variable "waf_trusted_cidrs" {
  description = "IPv4 CIDRs the per-IP rate limit does not count: the CI runners' NAT address, so load tests and smoke runs are not blocked."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.waf_trusted_cidrs : can(cidrhost(c, 0)) && !strcontains(c, ":") && !startswith(c, "0.0.0.0")])
    error_message = "IPv4 CIDRs of the runners only (never 0.0.0.0/0)."
  }
}

variable "settings" {
  description = "Stage settings that replace .chalice/config.json's in every function's environment (a sandbox: its sender, internal recipients and Cart URL)."
  type        = map(string)
  default     = {}
}

variable "disposable" {
  description = "A sandbox: buckets are emptied on destroy, the cursor secret is deleted at once, keys wait the shortest 7 days."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Extra tags for every resource (cost centre, owner)."
  type        = map(string)
  default     = {}
}
