variable "alarms" {
  description = "Alarms by key: a metric (namespace, name, dimensions, statistic, period) compared with a threshold, or metric math over it as m1 (expression); receiver names the spec's alert receiver."
  type = map(object({
    name               = string
    description        = string
    namespace          = string
    metric             = string
    dimensions         = map(string)
    statistic          = string
    period             = number
    evaluation_periods = number
    comparison         = string
    threshold          = number
    missing_data       = string
    receiver           = string
    expression         = optional(string)
  }))
}

variable "topic_arns" {
  description = "SNS topic of each alert receiver (the metrics module's alert topics); alarms of other receivers notify no one."
  type        = map(string)
}
