output "api_invoke_url" {
  description = "The stage's execute-api URL."
  value       = aws_api_gateway_stage.this.invoke_url
}

output "rest_api_id" {
  description = "ID of the REST API."
  value       = aws_api_gateway_rest_api.rest_api.id
}

output "rest_api_name" {
  description = "Name of the REST API (CloudWatch's ApiName dimension)."
  value       = aws_api_gateway_rest_api.rest_api.name
}

output "api_stage_name" {
  description = "The API Gateway stage."
  value       = aws_api_gateway_stage.this.stage_name
}

output "function_arns" {
  description = "ARN per function."
  value = {
    api_handler                        = aws_lambda_function.api_handler.arn
    order_creator_record               = aws_lambda_function.order_creator_record.arn
    order_pdf_creator                  = aws_lambda_function.order_pdf_creator.arn
    order_internal_notification_sender = aws_lambda_function.order_internal_notification_sender.arn
    customer_order_confirmation_sender = aws_lambda_function.customer_order_confirmation_sender.arn
    order_status_stream                = aws_lambda_function.order_status_stream.arn
  }
}
