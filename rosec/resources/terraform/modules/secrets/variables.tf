variable "secrets" {
  description = "Secrets by variable name: their name in Secrets Manager, where the value comes from (supplied: the operator puts it; generated: a random password written once; optional: starts blank), a description."
  type = map(object({
    name        = string
    origin      = string
    description = string
  }))
}

variable "kms_key_arn" {
  description = "Key that encrypts the values."
  type        = string
}

variable "recovery_window_days" {
  description = "Days a deleted secret can be restored."
  type        = number
}
