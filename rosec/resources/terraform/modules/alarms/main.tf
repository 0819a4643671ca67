# CloudWatch alarms for what Managed Prometheus cannot see: the RDS instances and the Amazon MQ broker are managed
# services the metrics agent does not scrape, so their alerts (datastore near its size; dead letters, a queue
# without consumer, a growing backlog) are evaluated here, with the thresholds of the Prometheus rules. Each
# alarm notifies the SNS topic of the receiver the spec routes its severity to, when that receiver has one.
locals {
  actions = { for key, alarm in var.alarms : key => compact([lookup(var.topic_arns, alarm.receiver, "")]) }
}

# A plain alarm names its metric; an alarm with an expression queries the metric as m1 and compares the
# expression's result instead.
resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = var.alarms

  alarm_name          = each.value.name
  alarm_description   = each.value.description
  namespace           = each.value.expression == null ? each.value.namespace : null
  metric_name         = each.value.expression == null ? each.value.metric : null
  dimensions          = each.value.expression == null ? each.value.dimensions : null
  statistic           = each.value.expression == null ? each.value.statistic : null
  period              = each.value.expression == null ? each.value.period : null
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.evaluation_periods
  comparison_operator = each.value.comparison
  threshold           = each.value.threshold
  treat_missing_data  = each.value.missing_data
  alarm_actions       = local.actions[each.key]
  ok_actions          = local.actions[each.key]

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : [each.value]

    content {
      id = "m1"

      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.statistic
        period      = metric_query.value.period
      }
    }
  }

  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : [each.value]

    content {
      id          = "e1"
      expression  = metric_query.value.expression
      label       = metric_query.value.name
      return_data = true
    }
  }
}
