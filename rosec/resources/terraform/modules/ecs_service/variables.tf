variable "name" {
  description = "The ECS service: the rose service's name, or gateway / identity / metrics."
  type        = string
}

variable "family" {
  description = "Task definition family."
  type        = string
}

variable "role_names" {
  description = "Names of the execution role and the task role (at most 64 characters)."
  type = object({
    execution = string
    task      = string
  })
}

variable "cluster" {
  description = "The cluster's ARN and name."
  type = object({
    arn  = string
    name = string
  })
}

variable "image" {
  description = "The container image, pinned by tag."
  type        = string
}

variable "repository_arn" {
  description = "The ECR repository the image comes from (its pull permission), or null for a public image."
  type        = string
  default     = null
}

variable "cpu" {
  description = "Fargate CPU units (a valid Fargate size with memory)."
  type        = number
}

variable "memory" {
  description = "Fargate memory in MiB."
  type        = number
}

variable "desired_count" {
  description = "Tasks to run (autoscaling moves it between its bounds)."
  type        = number
}

variable "autoscaling" {
  description = "Target tracking on average CPU between min and max tasks, or null."
  type = object({
    min        = number
    max        = number
    cpu_target = number
  })
  default = null
}

variable "user" {
  description = "User (uid:gid or name) the container runs as: never root."
  type        = string
}

variable "entry_point" {
  description = "Entry point of the container; empty: the image's."
  type        = list(string)
  default     = []
}

variable "command" {
  description = "Command of the container; empty: the image's."
  type        = list(string)
  default     = []
}

variable "health_command" {
  description = "The container's health check command."
  type        = list(string)
}

variable "ports" {
  description = "Container ports; a discoverable one is offered to other tasks as <name>:<port> through Service Connect."
  type = list(object({
    name         = string
    port         = number
    discoverable = bool
  }))
}

variable "environment" {
  description = "Plain variables."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Variables read from Secrets Manager when a task starts: variable -> secret ARN (optionally :json-key::)."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "The secrets the execution role may read: exactly those of `secrets`."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "The environment's key (secrets and logs are encrypted with it)."
  type        = string
}

variable "log_group" {
  description = "CloudWatch log group of the container's output."
  type        = string
}

variable "log_retention_days" {
  description = "Days the log group keeps lines."
  type        = number
}

variable "subnet_ids" {
  description = "Private subnets of the tasks."
  type        = list(string)
}

variable "security_group_id" {
  description = "The task's security group."
  type        = string
}

variable "namespace_arn" {
  description = "The Service Connect namespace."
  type        = string
}

variable "discovery" {
  description = "Private DNS namespace to register each task's address in (scraped by the metrics agent), or null."
  type = object({
    namespace_id = string
  })
  default = null
}

variable "read_only_root" {
  description = "Whether the root file system is read-only (writable_paths stay writable)."
  type        = bool
  default     = true
}

variable "writable_paths" {
  description = "Directories given a task-local volume (the image's content and ownership are copied into it)."
  type        = list(string)
  default     = ["/tmp"]
}

variable "volumes" {
  description = "EFS volumes by name: mounted through the service's access point, TLS in transit, IAM authorised."
  type = map(object({
    file_system_id   = string
    file_system_arn  = string
    access_point_id  = string
    access_point_arn = string
    path             = string
  }))
  default = {}
}

variable "config" {
  description = "Files of the config bucket that an init container copies into `dir` before the container starts."
  type = object({
    bucket     = string
    bucket_arn = string
    files      = list(string)
    dir        = string
    image      = string
    versions   = map(string)
  })
  default = null
}

variable "load_balancer" {
  description = "Target group that receives the load balancer's traffic on `port`, or null."
  type = object({
    target_group_arn = string
    port             = number
  })
  default = null
}

variable "task_policy_json" {
  description = "Further permissions of the task role (e.g. writing metrics), or null."
  type        = string
  default     = null
}
