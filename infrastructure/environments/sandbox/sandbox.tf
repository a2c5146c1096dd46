# A developer's own copy of the service (docs/sandbox.md): every name ends in sbx-{id}, no custom
# domain (the execute-api URL), no DR region, and its own Cognito pool standing in for the
# customer portal's, with the groups the API knows. `make sandbox-up` / `make sandbox-down`.

locals {
  cognito_user_pool_arn = aws_cognito_user_pool.portal.arn
}

resource "aws_cognito_user_pool" "portal" {
  name                     = "bbws-order-portal-${var.environment}"
  username_attributes      = ["email"]
  auto_verified_attributes = ["email"]
  deletion_protection      = "INACTIVE"
  mfa_configuration        = "OFF"

  # The API reads the tenant from this claim (custom:tenantId); set once per user.
  schema {
    name                = "tenantId"
    attribute_data_type = "String"
    mutable             = false
    string_attribute_constraints {
      min_length = 1
      max_length = 64
    }
  }

  password_policy {
    minimum_length    = 12
    require_lowercase = true
    require_uppercase = true
    require_numbers   = true
    require_symbols   = false
  }

  admin_create_user_config {
    allow_admin_create_user_only = true
  }
}

resource "aws_cognito_user_pool_client" "orderctl" {
  name                          = "bbws-order-orderctl-${var.environment}"
  user_pool_id                  = aws_cognito_user_pool.portal.id
  explicit_auth_flows           = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
  generate_secret               = false
  prevent_user_existence_errors = "ENABLED"
  id_token_validity             = 60
  access_token_validity         = 60
  refresh_token_validity        = 1
  token_validity_units {
    id_token      = "minutes"
    access_token  = "minutes"
    refresh_token = "days"
  }
}

# The groups the API acts on (chalicelib/api/auth.py): operators and the payment system.
resource "aws_cognito_user_group" "this" {
  for_each = {
    admin    = "Platform operators"
    payments = "The payment system (PAID, REFUNDED)"
  }

  user_pool_id = aws_cognito_user_pool.portal.id
  name         = each.key
  description  = each.value
}

output "api_url" {
  description = "The sandbox's API (its execute-api URL: a sandbox has no custom domain)."
  value       = module.service.api_invoke_url
}

output "cognito_user_pool_id" {
  description = "The sandbox's user pool: add users with `make sandbox-user` (docs/sandbox.md)."
  value       = aws_cognito_user_pool.portal.id
}

output "cognito_client_id" {
  description = "The app client orderctl signs in with (USER_PASSWORD_AUTH)."
  value       = aws_cognito_user_pool_client.orderctl.id
}
