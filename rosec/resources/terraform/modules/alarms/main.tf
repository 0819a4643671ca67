# CloudWatch alarms for what Managed Prometheus cannot see: the RDS instances and the Amazon MQ broker are managed
# services the metrics agent does not scrape, so their alerts (datastore near its size; dead letters, a queue
# without consumer, a growing backlog) are evaluated here, with the thresholds of the Prometheus rules. Each
# alarm notifies the SNS topic of the receiver the spec routes its severity to, when that receiver has one.
locals {
  actions = { for key, alarm in var.alarms : key => compact([lookup(var.topic_arns, alarm.receiver, "")]) }
}

resource "aws_cloudwatch_metric_alarm" "metric" {
  for_each = { for key, alarm in var.alarms : key => alarm if alarm.expression == null }

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.evaluation_periods
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing_data
  alarm_actions       = local.actions[each.key]
  ok_actions          = local.actions[each.key]
}

# Alarms on metric math over one metric (m1), e.g. a backlog that grows step after step.
resource "aws_cloudwatch_metric_alarm" "expression" {
  for_each = { for key, alarm in var.alarms : key => alarm if alarm.expression != null }

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.evaluation_periods
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing_data
  alarm_actions       = local.actions[each.key]
  ok_actions          = local.actions[each.key]

  metric_query {
    id = "m1"

    metric {
      namespace   = each.value.namespace
      metric_name = each.value.metric
      dimensions  = each.value.dimensions
      stat        = each.value.statistic
      period      = each.value.period
    }
  }

  metric_query {
    id          = "e1"
    expression  = each.value.expression
    label       = each.value.name
    return_data = true
  }
}
