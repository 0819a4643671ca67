output "address" {
  description = "Host name of the instance."
  value       = aws_db_instance.this.address
}

output "secret_arn" {
  description = "The RDS-managed secret of the master user (JSON: username, password)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "identifier" {
  description = "The instance identifier."
  value       = aws_db_instance.this.identifier
}
