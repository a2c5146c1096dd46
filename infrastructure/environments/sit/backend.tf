# State in the account's own bucket, locked in DynamoDB (bootstrap: docs/deploy.md).
terraform {
  backend "s3" {
    bucket         = "bbws-terraform-state-815856636111"
    key            = "bbws-order-lambda/sit/terraform.tfstate"
    region         = "af-south-1"
    dynamodb_table = "bbws-terraform-locks"
    encrypt        = true
  }
}
