output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "The public subnets, one per zone (the load balancer)."
  value       = [for subnet in aws_subnet.public : subnet.id]
}

output "private_subnet_ids" {
  description = "The private subnets, one per zone (tasks, databases, file systems, the broker)."
  value       = [for subnet in aws_subnet.private : subnet.id]
}
