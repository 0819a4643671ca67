output "ids" {
  description = "Security group ids by key."
  value       = { for key, group in aws_security_group.this : key => group.id }
}
