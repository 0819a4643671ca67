variable "name" {
  description = "Workspace alias: <system>-<environment>."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for the workspace and its log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days the workspace's own logs are kept."
  type        = number
}
