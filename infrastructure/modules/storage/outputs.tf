output "bucket_names" {
  description = "Bucket name by role (orders, templates)."
  value       = { for k, b in aws_s3_bucket.this : k => b.bucket }
}

output "bucket_arns" {
  description = "Bucket ARN by role (orders, templates); available once versioning is on (a replication destination needs it)."
  value       = { for k, b in aws_s3_bucket.this : k => b.arn }
  depends_on  = [aws_s3_bucket_versioning.this]
}
