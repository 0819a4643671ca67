output "service_name" {
  description = "The ECS service."
  value       = aws_ecs_service.this.name
}

output "log_group" {
  description = "Where the container's output goes."
  value       = aws_cloudwatch_log_group.this.name
}

output "task_role_arn" {
  description = "The task role."
  value       = aws_iam_role.task.arn
}
