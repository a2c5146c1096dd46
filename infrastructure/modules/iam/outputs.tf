output "role_arns" {
  description = "Execution role ARN per function."
  value       = { for name, role in aws_iam_role.this : name => role.arn }
}

output "role_names" {
  description = "Execution role name per function."
  value       = { for name, role in aws_iam_role.this : name => role.name }
}
