output "table_name" {
  description = "Name of the orders table."
  value       = aws_dynamodb_table.this.name
}

output "table_arn" {
  description = "ARN of the orders table in this region."
  value       = aws_dynamodb_table.this.arn
}

output "replica_table_arns" {
  description = "ARN of the table's replica in each replica region."
  value       = { for r in aws_dynamodb_table.this.replica : r.region_name => r.arn }
}

output "stream_arn" {
  description = "The table's stream (NEW_AND_OLD_IMAGES)."
  value       = aws_dynamodb_table.this.stream_arn
}

output "replica_stream_arns" {
  description = "The stream of the table's replica in each replica region (its own consumer reads it)."
  value       = { for r in aws_dynamodb_table.this.replica : r.region_name => r.stream_arn }
}
