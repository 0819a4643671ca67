output "regional_arn" {
  description = "The validated certificate in the environment's region."
  value       = aws_acm_certificate_validation.regional.certificate_arn
}

output "edge_arn" {
  description = "The validated certificate in us-east-1, for CloudFront."
  value       = aws_acm_certificate_validation.edge.certificate_arn
}
