terraform {
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.88, < 6"
    }
  }
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = {
      Service     = "bbws-order-lambda"
      Environment = var.environment
      ManagedBy   = "terraform"
    }
  }
}
