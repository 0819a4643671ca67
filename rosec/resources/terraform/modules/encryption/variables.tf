variable "name" {
  description = "Alias of the key: alias/<name>."
  type        = string
}

variable "account_id" {
  description = "The account whose IAM policies may use the key."
  type        = string
}

variable "alerts" {
  description = "Whether Amazon Managed Service for Prometheus may use the key for the alert topics."
  type        = bool
  default     = false
}

variable "deletion_window_days" {
  description = "Days a deleted key can still be recovered."
  type        = number
  default     = 30
}
