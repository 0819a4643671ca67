variable "name" {
  description = "Prefix of the names: <system>-<environment>."
  type        = string
}

variable "aliases" {
  description = "Host names CloudFront serves (the domain first); each gets A and AAAA alias records."
  type        = list(string)
}

variable "zone_id" {
  description = "The public hosted zone of the names."
  type        = string
}

variable "certificate_arn" {
  description = "Certificate in us-east-1 for the aliases."
  type        = string
}

variable "origin_domain" {
  description = "The load balancer's DNS name."
  type        = string
}

variable "origin_header" {
  description = "Header CloudFront adds to every request to the origin."
  type        = string
}

variable "origin_secret" {
  description = "Its value, which the load balancer requires."
  type        = string
  sensitive   = true
}

variable "rate_rules" {
  description = "Rate-based rules, at most `limit` requests per client IP per `window` seconds: a gateway service's (method null: every path that starts with `path`) or a route's (`method` and a path that matches the regular expression `path`)."
  type = list(object({
    name   = string
    path   = string
    method = string
    limit  = number
    window = number
  }))
}

variable "kms_key_arn" {
  description = "A key in us-east-1 for the WAF log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days WAF logs are kept."
  type        = number
}
