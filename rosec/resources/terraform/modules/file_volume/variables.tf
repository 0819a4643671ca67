variable "name" {
  description = "Name of the file system: <system>-<environment>-<datastore>."
  type        = string
}

variable "users" {
  description = "Services that mount it: each gets its own access point to the shared /data directory."
  type        = list(string)
}

variable "uid" {
  description = "POSIX user and group the access points write as (the services' user)."
  type        = number
}

variable "subnet_ids" {
  description = "Private subnets: one mount target each."
  type        = list(string)
}

variable "security_group_id" {
  description = "The file system's group (NFS only from the services that mount it)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for data at rest."
  type        = string
}
