output "arns" {
  description = "Secret ARN by variable name."
  value       = { for key, secret in aws_secretsmanager_secret.this : key => secret.arn }
}

output "generated" {
  description = "Version ids of the generated values (a reader of a generated secret depends on them)."
  value       = { for key, version in aws_secretsmanager_secret_version.generated : key => version.version_id }
}
