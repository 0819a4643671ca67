output "url" {
  description = "The repository URL (push images here)."
  value       = aws_ecr_repository.this.repository_url
}

output "arn" {
  description = "The repository ARN."
  value       = aws_ecr_repository.this.arn
}
