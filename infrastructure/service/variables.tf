variable "environment" {
  description = "dev, sit or prod: the suffix of every name."
  type        = string
}

variable "cognito_user_pool_arn" {
  description = "ARN of the customer portal's Cognito user pool, the API's authorizer."
  type        = string
}

variable "function_role_arns" {
  description = "IAM role ARN per function (api_handler and the four processors), from the iam module."
  type        = map(string)
}

variable "queue_arns" {
  description = "ARN of the queue each SQS-triggered function reads, from the messaging module."
  type        = map(string)
}

variable "lambda_environment" {
  description = "Environment variables Terraform knows and the stage config cannot (topic ARN, region-specific names)."
  type        = map(string)
  default     = {}
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for log groups and Lambda environment variables."
  type        = string
}

variable "log_retention_days" {
  description = "CloudWatch Logs retention of the functions' and the API's log groups."
  type        = number
}

variable "api_stage_name" {
  description = "API Gateway stage the custom domain maps to."
  type        = string
  default     = "v1"
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the stage accepts."
  type        = number
}

variable "throttling_burst_limit" {
  description = "Burst of requests the stage accepts."
  type        = number
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}

variable "waf_rate_limit_per_ip" {
  description = "Requests per 5 minutes one IP address may send before WAF blocks it."
  type        = number
  default     = 3000
}

variable "orders_stream_arn" {
  description = "The orders table's stream in this region (the dynamodb module's stream_arn, or the replica's)."
  type        = string
}

variable "stream_failure_queue_arn" {
  description = "Where the stream mapping reports batches it gave up (the messaging module's stream_dlq_arn)."
  type        = string
}

variable "cors_allowed_origins" {
  description = "Origins a browser may call the API from (the stage's portal first: API Gateway's own errors name it)."
  type        = list(string)
}

variable "waf_trusted_cidrs" {
  description = "IPv4 CIDRs the per-IP rate limit does not count (the CI runners' NAT for load tests and smoke runs)."
  type        = list(string)
  default     = []
}

variable "support_throttling_rate_limit" {
  description = "Requests per second, stage-wide, of each admin support action (re-render, resend)."
  type        = number
  default     = 5
}

variable "support_throttling_burst_limit" {
  description = "Burst of each admin support action (re-render, resend)."
  type        = number
  default     = 10
}
