# Both buckets: invoices (bbws-orders-{env}) and email templates (bbws-email-templates-{env}).
# Versioned, every public-access block on, SSE-KMS, TLS only, and in PROD cross-region replication
# to the DR region's buckets. Lifecycle per bucket: documents are kept 7 years (Glacier Instant
# Retrieval after 2 years in PROD: presigned GETs still read it, unlike Glacier Flexible
# Retrieval's InvalidObjectState); templates are kept indefinitely (requirements 3.4) and read on
# every email, so they are never archived or expired — only their old versions are.

locals {
  buckets = {
    orders    = var.orders_bucket_name
    templates = var.templates_bucket_name
  }
  templates = var.templates_source_dir == null ? toset([]) : fileset(var.templates_source_dir, "**/*.html")
}

# nosemgrep: aws-s3-bucket-versioning-not-enabled -- versioned by aws_s3_bucket_versioning.this below (the rule knows only the inline block of provider 3)
resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  bucket        = each.value
  force_destroy = var.force_destroy
  tags          = var.tags

  #checkov:skip=CKV_AWS_18:Only the service's own roles touch these buckets; per-request audit comes from CloudTrail S3 data events (docs/deploy.md, bootstrap).
  #checkov:skip=CKV2_AWS_62:Nothing consumes object events from these buckets.
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  rule {
    bucket_key_enabled = true
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

data "aws_iam_policy_document" "tls_only" {
  for_each = aws_s3_bucket.this

  statement {
    sid       = "DenyWithoutTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
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

  statement {
    sid       = "DenyTlsBelow12"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = var.attach_tls_only_policy ? aws_s3_bucket.this : {}

  bucket = each.value.id
  policy = data.aws_iam_policy_document.tls_only[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    id     = each.key == "orders" ? "retain-seven-years" : "keep-current-templates"
    status = "Enabled"
    filter {}

    dynamic "transition" {
      for_each = each.key == "orders" && var.glacier_transition_days != null ? [var.glacier_transition_days] : []
      content {
        days          = transition.value
        storage_class = "GLACIER_IR"
      }
    }

    dynamic "expiration" {
      for_each = each.key == "orders" ? [var.retention_days] : []
      content {
        days = expiration.value
      }
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# The email templates the senders read (the same files `make run` uploads).
resource "aws_s3_object" "template" {
  for_each = local.templates

  bucket       = aws_s3_bucket.this["templates"].id
  key          = each.value
  source       = "${var.templates_source_dir}/${each.value}"
  source_hash  = filemd5("${var.templates_source_dir}/${each.value}")
  content_type = "text/html; charset=utf-8"
  tags         = var.tags

  # After encryption and, in PROD, after replication exists: an object written before the
  # replication rule is never copied to the DR bucket (S3 replicates new writes only).
  depends_on = [
    aws_s3_bucket_server_side_encryption_configuration.this,
    aws_s3_bucket_replication_configuration.this,
  ]
}
