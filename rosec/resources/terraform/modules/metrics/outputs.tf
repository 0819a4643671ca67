output "remote_write_url" {
  description = "Where the metrics agent writes."
  value       = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/remote_write"
}

output "query_url" {
  description = "The Prometheus query API (SigV4), e.g. for Grafana."
  value       = "${aws_prometheus_workspace.this.prometheus_endpoint}api/v1/query"
}

output "writer_policy_json" {
  description = "The permission the metrics agent's task role needs."
  value       = data.aws_iam_policy_document.remote_write.json
}

output "alert_topic_arns" {
  description = "SNS topic of each alert receiver: subscribe the receiver's endpoint to it."
  value       = { for name, topic in aws_sns_topic.alerts : name => topic.arn }
}
