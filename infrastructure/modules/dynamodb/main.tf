# The single orders table (docs/adr/0003-single-table-keys-and-conditional-writes.md): PK/SK,
# GSI1 OrdersByDateIndex, GSI2 OrderByIdIndex, TTL on expiresAt; the same shape `make run`
# provisions (devstack/provision.py, checked by tests/infrastructure/test_apply.py).

locals {
  key_attributes = ["PK", "SK", "GSI1_PK", "GSI1_SK", "GSI2_PK", "GSI2_SK"]
  indexes = {
    OrdersByDateIndex = "GSI1"
    OrderByIdIndex    = "GSI2"
  }
}

resource "aws_dynamodb_table" "this" {
  name                        = var.table_name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "PK"
  range_key                   = "SK"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = var.deletion_protection
  tags                        = var.tags

  dynamic "attribute" {
    for_each = local.key_attributes
    content {
      name = attribute.value
      type = "S"
    }
  }

  dynamic "global_secondary_index" {
    for_each = local.indexes
    content {
      name            = global_secondary_index.key
      hash_key        = "${global_secondary_index.value}_PK"
      range_key       = "${global_secondary_index.value}_SK"
      projection_type = "ALL"
    }
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled                 = true
    recovery_period_in_days = var.point_in_time_recovery_days
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  # PROD: a global table replica in the DR region (version 2019.11.21), encrypted with that
  # region's key. Order numbers stay unique across regions (docs/adr/0006).
  dynamic "replica" {
    for_each = var.replicas
    content {
      region_name            = replica.key
      kms_key_arn            = replica.value
      point_in_time_recovery = true
      propagate_tags         = true
    }
  }
}
