# Amazon Managed Service for Prometheus: the environment's metrics storage, rules, alert manager and query
# endpoint. The metrics agent (Prometheus in agent mode on Fargate) scrapes every task and writes here; Grafana
# queries it with SigV4.
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

# The rules of the Prometheus target (recording, SLO and infrastructure alerts), one rule group namespace per
# rule file, evaluated by the workspace.
resource "aws_prometheus_rule_group_namespace" "this" {
  for_each = var.rule_groups

  name         = each.key
  workspace_id = aws_prometheus_workspace.this.id
  data         = each.value
}

# Alerts: the workspace's alert manager routes as the Alertmanager target does (`alert_routing`) and sends only
# to SNS: one encrypted topic per receiver of the spec, which only this workspace and this account's CloudWatch
# alarms may publish to. The receiver's
# own endpoint (PagerDuty, Slack, email, webhook) subscribes to its topic outside Terraform, so that no credential
# passes through it.
resource "aws_sns_topic" "alerts" {
  for_each = toset(var.alert_receivers)

  name              = "${var.name}-alerts-${each.key}"
  kms_master_key_id = var.kms_key_arn
}

data "aws_iam_policy_document" "alerts" {
  for_each = aws_sns_topic.alerts

  statement {
    sid       = "ManagedPrometheusPublishesAlerts"
    actions   = ["sns:Publish", "sns:GetTopicAttributes"]
    resources = [each.value.arn]

    principals {
      type        = "Service"
      identifiers = ["aps.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_prometheus_workspace.this.arn]
    }
  }

  # The CloudWatch alarms of what the workspace cannot see (the alarms module) notify the same topics.
  statement {
    sid       = "CloudWatchAlarmsPublishAlerts"
    actions   = ["sns:Publish"]
    resources = [each.value.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudwatch:${data.aws_region.current.name}:${var.account_id}:alarm:*"]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  for_each = aws_sns_topic.alerts

  arn    = each.value.arn
  policy = data.aws_iam_policy_document.alerts[each.key].json
}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  routing = yamldecode(var.alert_routing)
  # Every receiver of the routing with a topic sends to it (SigV4 in the workspace's region, as AMP requires).
  alertmanager_config = merge(local.routing, {
    receivers = [for receiver in local.routing.receivers : merge(receiver, {
      for name in [receiver.name] : "sns_configs" => [{
        topic_arn     = aws_sns_topic.alerts[name].arn
        sigv4         = { region = data.aws_region.current.name }
        send_resolved = true
      }] if contains(var.alert_receivers, name)
    })]
  })
}

resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition = yamlencode({
    alertmanager_config = yamlencode(local.alertmanager_config)
    template_files      = {}
  })
}
