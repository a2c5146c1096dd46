variable "domain_name" {
  description = "Custom domain: api-dev.bbws.io, api-sit.bbws.io or api.bbws.io."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate for the domain, in this region."
  type        = string
}

variable "zone_id" {
  description = "Route 53 hosted zone of bbws.io."
  type        = string
}

variable "rest_api_id" {
  description = "The REST API to map."
  type        = string
}

variable "stage_name" {
  description = "The stage the domain maps to."
  type        = string
}

variable "security_policy" {
  description = "Minimum TLS: TLS_1_2, the strictest policy AWS provider 5.x accepts for REST custom domains."
  type        = string
  default     = "TLS_1_2"

  validation {
    condition     = var.security_policy == "TLS_1_2"
    error_message = "Only TLS 1.2 or later: TLS_1_0 is not allowed."
  }
}

variable "failover_role" {
  description = "PROD: PRIMARY (af-south-1) or SECONDARY (eu-west-1) of the failover pair; null for a simple record."
  type        = string
  default     = null

  validation {
    condition     = var.failover_role == null || contains(["PRIMARY", "SECONDARY"], coalesce(var.failover_role, "PRIMARY"))
    error_message = "failover_role is PRIMARY, SECONDARY or null."
  }
}

variable "health_check_interval_seconds" {
  description = "Route 53 health check interval (30 s)."
  type        = number
  default     = 30
}

variable "health_check_failure_threshold" {
  description = "Consecutive failures before the region is unhealthy (2)."
  type        = number
  default     = 2
}

variable "tags" {
  description = "Tags for the domain and the health check."
  type        = map(string)
  default     = {}
}
