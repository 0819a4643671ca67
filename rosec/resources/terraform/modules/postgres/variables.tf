variable "identifier" {
  description = "RDS instance identifier."
  type        = string
}

variable "database" {
  description = "Name of the database the instance creates."
  type        = string
}

variable "username" {
  description = "Master user (its password is managed by RDS in Secrets Manager)."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL version, e.g. 16 (minor upgrades apply automatically)."
  type        = string
}

variable "instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "storage_gb" {
  description = "Allocated storage (gp3)."
  type        = number
}

variable "production" {
  description = "Multi-AZ and a final snapshot."
  type        = bool
}

variable "deletion_protection" {
  description = "Refuse to delete the instance."
  type        = bool
}

variable "backup_retention_days" {
  description = "Days automated backups are kept."
  type        = number
}

variable "subnet_ids" {
  description = "Private subnets."
  type        = list(string)
}

variable "security_group_id" {
  description = "The database's group (admits only the services that use it)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for storage, the managed password and Performance Insights."
  type        = string
}
