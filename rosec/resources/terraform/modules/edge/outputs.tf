output "distribution_id" {
  description = "The CloudFront distribution (invalidate, inspect)."
  value       = aws_cloudfront_distribution.this.id
}

output "web_acl_arn" {
  description = "The WAF web ACL."
  value       = aws_wafv2_web_acl.this.arn
}
