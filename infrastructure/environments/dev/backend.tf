# State per the requirements (section 5.4), in the environment's primary region, locked by S3
# itself: a conditional write of `terraform.tfstate.tflock` beside the state (Terraform >= 1.11),
# instead of the lock table the document names (docs/adr/0018). Bootstrap: docs/deploy.md.
terraform {
  backend "s3" {
    bucket       = "bbws-terraform-state-dev"
    key          = "order-lambda/terraform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
