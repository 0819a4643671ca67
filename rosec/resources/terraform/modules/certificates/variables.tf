variable "domain" {
  description = "The environment's domain."
  type        = string
}

variable "alternative_names" {
  description = "Further host names of the environment (e.g. auth.<domain>)."
  type        = list(string)
}

variable "zone_id" {
  description = "The public hosted zone that holds the names (DNS validation)."
  type        = string
}
