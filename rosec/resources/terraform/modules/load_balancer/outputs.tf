output "dns_name" {
  description = "The load balancer's DNS name (CloudFront's origin)."
  value       = aws_lb.this.dns_name
}

output "target_group_arns" {
  description = "Target group by key."
  value       = { for key, group in aws_lb_target_group.this : key => group.arn }
}
