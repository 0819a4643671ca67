output "id" {
  description = "The file system."
  value       = aws_efs_file_system.this.id
}

output "arn" {
  description = "The file system's ARN."
  value       = aws_efs_file_system.this.arn
}

output "access_points" {
  description = "Access point id and ARN by service."
  value       = { for user, point in aws_efs_access_point.this : user => { id = point.id, arn = point.arn } }
}
