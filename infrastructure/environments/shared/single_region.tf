# dev and sit: one region, nothing stands by (prod's dr.tf sets these for eu-west-1).
locals {
  standby_regions             = []
  standby_kms_key_arns        = {}
  standby_queue_arns          = []
  standby_stream_arns         = []
  standby_stream_dlq_arns     = []
  standby_topic_arns          = []
  standby_bucket_arns         = []
  standby_storage_replication = null
  standby_failover_role       = null
}
