terraform {
  # Chalice pins Terraform < 1.4 and the AWS provider < 5; scripts/package.py drops its pins.
  # 5.32 is the first provider with python3.12; provider 6 removes the deployment's stage_name
  # and breaks Chalice's REST API resources.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.32, < 6"
    }
  }
}
