output "arn" {
  description = "The cluster."
  value       = aws_ecs_cluster.this.arn
}

output "name" {
  description = "The cluster's name."
  value       = aws_ecs_cluster.this.name
}

output "namespace_arn" {
  description = "The Service Connect namespace."
  value       = aws_service_discovery_http_namespace.this.arn
}

output "discovery_namespace_id" {
  description = "The private DNS namespace."
  value       = aws_service_discovery_private_dns_namespace.this.id
}
