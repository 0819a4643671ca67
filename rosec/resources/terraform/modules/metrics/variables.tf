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

variable "rule_groups" {
  description = "Rule files (Prometheus YAML) by rule group namespace name."
  type        = map(string)
}

variable "alert_routing" {
  description = "Alertmanager configuration (YAML) whose receivers have names only: routes, inhibitions, receivers."
  type        = string
}

variable "alert_receivers" {
  description = "Receivers of the routing that get an SNS topic (the others discard alerts)."
  type        = list(string)
}

variable "account_id" {
  description = "The account whose CloudWatch alarms may publish to the alert topics."
  type        = string
}
