# One queue + DLQ per SQS-triggered function, the OrderCreated fan-out topic and its
# subscriptions (docs/adr/0002-fan-out-topology.md). `var.consumers` comes from
# chalicelib/topology.py through the packaged service module, so the local stack, the app's
# event sources and these queues share one declaration.

locals {
  fed_by_topic = { for name, c in var.consumers : name => c if c.fed_by_topic }
}

resource "aws_sqs_queue" "dlq" {
  for_each = var.consumers

  name                              = each.value.dlq_name
  message_retention_seconds         = var.dlq_retention_days * 86400
  max_message_size                  = var.max_message_size
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = var.tags
}

resource "aws_sqs_queue" "this" {
  for_each = var.consumers

  name                              = each.value.queue_name
  visibility_timeout_seconds        = each.value.visibility_timeout_seconds
  message_retention_seconds         = var.queue_retention_days * 86400
  receive_wait_time_seconds         = 20
  max_message_size                  = var.max_message_size
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = var.tags

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq[each.key].arn
    maxReceiveCount     = each.value.max_receive_count
  })
}

# Only its own source queue may dead-letter into a DLQ (and be the redrive target).
resource "aws_sqs_queue_redrive_allow_policy" "dlq" {
  for_each = var.restrict_redrive_sources ? var.consumers : {}

  queue_url = aws_sqs_queue.dlq[each.key].id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.this[each.key].arn]
  })
}

resource "aws_sns_topic" "events" {
  name              = var.topic_name
  kms_master_key_id = var.kms_key_arn
  tags              = var.tags
}

data "aws_iam_policy_document" "queue" {
  for_each = var.consumers

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.this[each.key].arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = each.value.fed_by_topic ? [1] : []
    content {
      sid       = "TheFanOutTopicDelivers"
      actions   = ["sqs:SendMessage"]
      resources = [aws_sqs_queue.this[each.key].arn]
      principals {
        type        = "Service"
        identifiers = ["sns.amazonaws.com"]
      }
      condition {
        test     = "ArnEquals"
        variable = "aws:SourceArn"
        values   = [aws_sns_topic.events.arn]
      }
    }
  }
}

resource "aws_sqs_queue_policy" "this" {
  for_each = var.consumers

  queue_url = aws_sqs_queue.this[each.key].id
  policy    = data.aws_iam_policy_document.queue[each.key].json
}

resource "aws_sns_topic_subscription" "fan_out" {
  for_each = local.fed_by_topic

  topic_arn            = aws_sns_topic.events.arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.this[each.key].arn
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.this]
}

# The on-failure destination of the table's stream consumer: when a batch of stream records has
# failed every retry, Lambda sends what it gave up (the shard and sequence numbers, not the
# records) here, and the DLQ alarm fires (docs/runbooks/dead-letter-queues.md).
resource "aws_sqs_queue" "stream_failures" {
  name                              = var.stream_dlq_name
  message_retention_seconds         = var.dlq_retention_days * 86400
  max_message_size                  = var.max_message_size
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = 300
  tags                              = var.tags
}

data "aws_iam_policy_document" "stream_failures" {
  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["sqs:*"]
    resources = [aws_sqs_queue.stream_failures.arn]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "stream_failures" {
  queue_url = aws_sqs_queue.stream_failures.id
  policy    = data.aws_iam_policy_document.stream_failures.json
}
