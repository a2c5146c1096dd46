# State in the account's own bucket, locked in DynamoDB (bootstrap: docs/deploy.md).
terraform {
  backend "s3" {
    bucket         = "bbws-terraform-state-093646564004"
    key            = "bbws-order-lambda/prod/terraform.tfstate"
    region         = "af-south-1"
    dynamodb_table = "bbws-terraform-locks"
    encrypt        = true
  }
}
