# The environment's monthly budget (requirements section 5.1: $500 DEV, $1,000 SIT, $5,000 PROD)
# for what this service costs: every resource carries `Service = bbws-order-lambda` (the
# providers' default tags), a cost allocation tag the account activates once (docs/deploy.md).
# Alerts by email at 80 % of the actual spend, and when the actual or the forecast passes 100 %.

resource "aws_budgets_budget" "this" {
  name         = var.name
  budget_type  = "COST"
  limit_amount = format("%.2f", var.monthly_limit_usd)
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  cost_filter {
    name   = "TagKeyValue"
    values = [format("user:Service$%s", var.service_tag)]
  }

  dynamic "notification" {
    for_each = {
      actual-80      = { threshold = 80, type = "ACTUAL" }
      actual-100     = { threshold = 100, type = "ACTUAL" }
      forecasted-100 = { threshold = 100, type = "FORECASTED" }
    }
    content {
      comparison_operator        = "GREATER_THAN"
      threshold                  = notification.value.threshold
      threshold_type             = "PERCENTAGE"
      notification_type          = notification.value.type
      subscriber_email_addresses = var.emails
    }
  }

  tags = var.tags
}
