variable "name" {
  description = "Bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts the objects."
  type        = string
}

variable "files" {
  description = "Objects by key, with their content: the gateway's, identity provider's and metrics agent's configuration."
  type        = map(string)
}
