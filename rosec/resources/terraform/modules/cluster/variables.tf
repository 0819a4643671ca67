variable "name" {
  description = "Cluster and Service Connect namespace name: <system>-<environment>."
  type        = string
}

variable "discovery_namespace" {
  description = "Private DNS namespace where tasks register one A record each (the metrics agent scrapes them)."
  type        = string
}

variable "vpc_id" {
  description = "The VPC the private DNS namespace resolves in."
  type        = string
}
