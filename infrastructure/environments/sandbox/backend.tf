# A developer's sandbox keeps its state on their machine: `make sandbox-up` passes the path
# (.sandbox/{id}/terraform.tfstate in the checkout), so nothing has to exist in the account first
# and several ids can stand side by side. Lose that file and `make sandbox-down` cannot find the
# resources: docs/sandbox.md says how to clean up by tag instead.
terraform {
  backend "local" {}
}
