terraform {
  # Chalice pins Terraform < 1.4 and the AWS provider < 5; scripts/package.py drops its pins.
  # The floors are the whole configuration's (every module says the same): Terraform 1.11 for
  # write-only arguments and S3 state locking, provider 5.88 for the cursor key's ephemeral
  # password and `secret_string_wo` (and python3.12, arm64, logging_config, which are older).
  # Provider 6 removes the deployment's stage_name and breaks Chalice's REST API resources.
  # CI plans with the provider in the environments' .terraform.lock.hcl.
  required_version = ">= 1.11.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.88, < 6"
    }
  }
}
