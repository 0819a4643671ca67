variable "name" {
  description = "Prefix of every resource name: <system>-<environment>."
  type        = string
}

variable "cidr" {
  description = "Address range of the VPC; each zone gets a public and a private subnet of 1/16 of it."
  type        = string
}

variable "zones" {
  description = "Availability zones the subnets span."
  type        = list(string)
}

variable "nat_per_zone" {
  description = "One NAT gateway per zone (production: a zone's outage leaves the others' egress intact), else one."
  type        = bool
}

variable "kms_key_arn" {
  description = "Key that encrypts the flow log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days the VPC flow logs are kept."
  type        = number
}
