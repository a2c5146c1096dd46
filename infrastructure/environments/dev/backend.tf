# State in the account's own bucket, locked in DynamoDB (bootstrap: docs/deploy.md).
terraform {
  backend "s3" {
    bucket         = "bbws-terraform-state-536580886816"
    key            = "bbws-order-lambda/dev/terraform.tfstate"
    region         = "af-south-1"
    dynamodb_table = "bbws-terraform-locks"
    encrypt        = true
  }
}
