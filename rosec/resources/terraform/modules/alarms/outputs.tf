output "arns" {
  description = "Every alarm by key."
  value       = merge({ for key, alarm in aws_cloudwatch_metric_alarm.metric : key => alarm.arn }, { for key, alarm in aws_cloudwatch_metric_alarm.expression : key => alarm.arn })
}
