variable "name" {
  description = "Prefix of the security group names: <system>-<environment>."
  type        = string
}

variable "vpc_id" {
  description = "The VPC of the groups."
  type        = string
}

variable "groups" {
  description = "Security groups by key, with their descriptions."
  type        = map(string)
}

variable "rules" {
  description = "Who may reach whom: `source` group opens connections to `target` group on `port`."
  type = map(object({
    target      = string
    source      = string
    port        = number
    description = string
  }))
}

variable "internet_egress" {
  description = "Groups that may open HTTPS connections anywhere (tasks: images, identity keys, error reporting)."
  type        = list(string)
}

variable "outside_egress" {
  description = "Connections a group opens to addresses outside the environment on other ports than HTTPS (the gateway's Redis)."
  type = map(object({
    group       = string
    port        = number
    description = string
  }))
  default = {}
}

variable "load_balancer" {
  description = "The load balancer's group: it admits HTTPS from this managed prefix list (CloudFront's origin-facing addresses)."
  type = object({
    group          = string
    prefix_list_id = string
  })
}
