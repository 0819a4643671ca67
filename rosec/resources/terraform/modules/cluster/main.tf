# The ECS cluster (Fargate, Container Insights), the Service Connect namespace through which services reach
# each other under the host names the spec derives, and the private DNS namespace for per-task discovery.
resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
  }
}

resource "aws_service_discovery_http_namespace" "this" {
  name        = var.name
  description = "Service Connect: ${var.name}"
}

resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = var.discovery_namespace
  description = "Per-task A records of ${var.name}"
  vpc         = var.vpc_id
}
