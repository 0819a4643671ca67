variable "name" {
  description = "Load balancer name (at most 32 characters)."
  type        = string
}

variable "vpc_id" {
  description = "The VPC."
  type        = string
}

variable "subnet_ids" {
  description = "Public subnets, one per zone."
  type        = list(string)
}

variable "security_group_id" {
  description = "The load balancer's group (HTTPS from CloudFront only)."
  type        = string
}

variable "certificate_arn" {
  description = "The regional certificate of the environment's host names."
  type        = string
}

variable "origin_secret" {
  description = "Value of the header CloudFront sends: requests without it are refused."
  type        = string
  sensitive   = true
}

variable "origin_header" {
  description = "Name of that header."
  type        = string
}

variable "targets" {
  description = "Tasks behind the load balancer by key: their target group's name (at most 32 characters), the host name routed to them, their port and health check."
  type = map(object({
    name        = string
    host        = string
    port        = number
    health_port = number
    health_path = string
  }))
}

variable "deletion_protection" {
  description = "Refuse to delete the load balancer."
  type        = bool
}

variable "log_retention_days" {
  description = "Days the access logs are kept."
  type        = number
}
