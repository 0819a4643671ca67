# Amazon Managed Service for Prometheus: the environment's metrics storage and query endpoint. The metrics agent
# (Prometheus in agent mode on Fargate) scrapes every task and writes here; Grafana queries it with SigV4.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention follows the spec (environments.<env>.logs.retention_days): the team decides how long logs live
  name              = "/aws/prometheus/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_prometheus_workspace" "this" {
  alias       = var.name
  kms_key_arn = var.kms_key_arn

  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.this.arn}:*"
  }
}

data "aws_iam_policy_document" "remote_write" {
  statement {
    sid       = "WriteMetrics"
    actions   = ["aps:RemoteWrite"]
    resources = [aws_prometheus_workspace.this.arn]
  }
}
