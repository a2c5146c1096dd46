output "queue_arns" {
  description = "Work queue ARN per function."
  value       = { for name, q in aws_sqs_queue.this : name => q.arn }
}

output "queue_urls" {
  description = "Work queue URL per function."
  value       = { for name, q in aws_sqs_queue.this : name => q.id }
}

output "queue_names" {
  description = "Work queue name per function."
  value       = { for name, q in aws_sqs_queue.this : name => q.name }
}

output "dlq_arns" {
  description = "Dead-letter queue ARN per function."
  value       = { for name, q in aws_sqs_queue.dlq : name => q.arn }
}

output "dlq_names" {
  description = "Dead-letter queue name per function."
  value       = { for name, q in aws_sqs_queue.dlq : name => q.name }
}

output "topic_arn" {
  description = "ARN of the OrderCreated fan-out topic."
  value       = aws_sns_topic.events.arn
}

output "stream_dlq_arn" {
  description = "ARN of the stream consumer's on-failure queue."
  value       = aws_sqs_queue.stream_failures.arn
}

output "stream_dlq_name" {
  description = "Name of the stream consumer's on-failure queue."
  value       = aws_sqs_queue.stream_failures.name
}
