# One execution role per function, each allowed exactly the calls its code makes on exactly the
# resources it makes them on (listed per function below; tests/infrastructure check that no
# action is a wildcard). Roles are global: the resource lists carry both regions in PROD.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  indexes = [for arn in var.table_arns : "${arn}/index/*"]

  # Each writer is confined to the partitions it owns (dynamodb:LeadingKeys): orders and their
  # number counters live in TENANT#…, email ledger items in NOTIFICATION#…, Idempotency-Key
  # records in IDEMPOTENCY#…, which order a cart became in CART#…, when an admin's support action
  # last ran on an order in ACTION#… (docs/adr/0003). An email sender cannot touch an order.
  tenants     = ["TENANT#*"]
  ledger      = ["NOTIFICATION#*"]
  idempotency = ["IDEMPOTENCY#*"]
  carts       = ["CART#*"]
  action_log  = ["ACTION#*"]

  # The SQS-triggered functions' event source mappings read (and delete from) their own queue
  # only: what Lambda's SQS poller calls with the role (the IAM proof, ADR 0027).
  receive = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
  # A sender finds its queue's URL by name once per container (chalicelib/messaging.py).
  send = ["sqs:GetQueueUrl", "sqs:SendMessage"]

  grants = {
    api_handler = [
      { sid = "Orders", actions = ["dynamodb:GetItem", "dynamodb:UpdateItem"], resources = var.table_arns, leading_keys = local.tenants },
      { sid = "OrderIndexes", actions = ["dynamodb:Query"], resources = local.indexes },
      { sid = "IdempotencyKeys", actions = ["dynamodb:PutItem", "dynamodb:DeleteItem"], resources = var.table_arns, leading_keys = local.idempotency },
      { sid = "CartClaims", actions = ["dynamodb:PutItem", "dynamodb:DeleteItem"], resources = var.table_arns, leading_keys = local.carts },
      { sid = "SupportActions", actions = ["dynamodb:PutItem", "dynamodb:DeleteItem"], resources = var.table_arns, leading_keys = local.action_log },
      { sid = "EnqueueCreation", actions = local.send, resources = var.queue_arns["order_creator_record"] },
      { sid = "SupportRequests", actions = local.send, resources = var.queue_arns["order_pdf_creator"] },
      { sid = "CursorKey", actions = ["secretsmanager:GetSecretValue"], resources = var.cursor_secret_arns },
      { sid = "InvoiceLinks", actions = ["s3:GetObject"], resources = [for arn in var.orders_bucket_arns : "${arn}/*"] },
      { sid = "Keys", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = var.kms_key_arns },
    ]
    order_creator_record = [
      { sid = "OwnQueue", actions = local.receive, resources = var.queue_arns["order_creator_record"] },
      { sid = "Orders", actions = ["dynamodb:PutItem", "dynamodb:UpdateItem"], resources = var.table_arns, leading_keys = local.tenants },
      { sid = "FanOut", actions = ["sns:Publish"], resources = var.topic_arns },
      { sid = "Keys", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = var.kms_key_arns },
    ]
    order_pdf_creator = [
      { sid = "OwnQueue", actions = local.receive, resources = var.queue_arns["order_pdf_creator"] },
      { sid = "Orders", actions = ["dynamodb:UpdateItem"], resources = var.table_arns, leading_keys = local.tenants },
      { sid = "Documents", actions = ["s3:PutObject", "s3:GetObject"], resources = [for arn in var.orders_bucket_arns : "${arn}/*"] },
      { sid = "AnnounceDocuments", actions = local.send, resources = var.queue_arns["customer_order_confirmation_sender"] },
      { sid = "Keys", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = var.kms_key_arns },
    ]
    # Reads the table's stream, sends OrderStatusChanged to the renderer's queue; Lambda sends
    # batches it gave up to the stream DLQ with this role.
    order_status_stream = [
      { sid = "Stream", actions = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"], resources = var.stream_arns },
      { sid = "StatusChanges", actions = local.send, resources = var.queue_arns["order_pdf_creator"] },
      { sid = "GivenUpBatches", actions = ["sqs:SendMessage"], resources = var.stream_dlq_arns },
      { sid = "Keys", actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = var.kms_key_arns },
    ]
    order_internal_notification_sender = [
      { sid = "OwnQueue", actions = local.receive, resources = var.queue_arns["order_internal_notification_sender"] },
      { sid = "Ledger", actions = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources = var.table_arns, leading_keys = local.ledger },
      { sid = "Templates", actions = ["s3:GetObject"], resources = [for arn in var.templates_bucket_arns : "${arn}/internal/*"] },
      { sid = "Email", actions = ["ses:SendEmail"], resources = var.ses_identity_arns },
      { sid = "Keys", actions = ["kms:Decrypt"], resources = var.kms_key_arns },
    ]
    customer_order_confirmation_sender = [
      { sid = "OwnQueue", actions = local.receive, resources = var.queue_arns["customer_order_confirmation_sender"] },
      { sid = "Ledger", actions = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], resources = var.table_arns, leading_keys = local.ledger },
      { sid = "Templates", actions = ["s3:GetObject"], resources = [for arn in var.templates_bucket_arns : "${arn}/customer/*"] },
      { sid = "Attachments", actions = ["s3:GetObject", "s3:GetObjectVersion"], resources = [for arn in var.orders_bucket_arns : "${arn}/*"] },
      { sid = "Email", actions = ["ses:SendEmail", "ses:SendRawEmail"], resources = var.ses_identity_arns },
      { sid = "Keys", actions = ["kms:Decrypt"], resources = var.kms_key_arns },
    ]
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = var.function_names

  name                 = each.value # the function's own name: 64 characters fit any stage
  description          = "Execution role of ${each.value}"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  for_each = var.function_names

  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for region in var.regions : "arn:${local.partition}:logs:${region}:${local.account_id}:log-group:/aws/lambda/${each.value}:*"]
  }

  # X-Ray has no resource-level permissions: these two actions only accept "*".
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = local.grants[each.key]
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = try(statement.value.leading_keys, null) == null ? [] : [statement.value.leading_keys]
        content {
          test     = "ForAllValues:StringLike"
          variable = "dynamodb:LeadingKeys"
          values   = condition.value
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = var.function_names

  name   = "least-privilege"
  role   = aws_iam_role.this[each.key].id
  policy = data.aws_iam_policy_document.this[each.key].json
}
