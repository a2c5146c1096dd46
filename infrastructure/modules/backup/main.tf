# PROD's hourly backups of the orders table (requirements section 5.3: "hourly backups" in the
# RPO). Point-in-time recovery already restores any second of the last 35 days; these backups are
# the copy that outlives a mistake with the table itself (a deleted table, PITR switched off, a
# bad restore) and are kept apart in their own vault. RPO math: docs/deploy.md.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-backup"
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset([
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
  ])

  role       = aws_iam_role.this.name
  policy_arn = each.value
}

resource "aws_backup_vault" "this" {
  name        = var.name
  kms_key_arn = var.kms_key_arn
  tags        = var.tags
}

resource "aws_backup_plan" "this" {
  name = var.name

  rule {
    rule_name         = "hourly"
    target_vault_name = aws_backup_vault.this.name
    schedule          = "cron(0 * ? * * *)" # every hour, on the hour (UTC)
    start_window      = 60
    completion_window = 120

    lifecycle {
      delete_after = var.retention_days
    }
  }

  tags = var.tags
}

resource "aws_backup_selection" "this" {
  name         = "${var.name}-resources"
  plan_id      = aws_backup_plan.this.id
  iam_role_arn = aws_iam_role.this.arn
  resources    = var.resource_arns
}
