# The environment's customer-managed key: secrets, databases, file systems, images, logs and the broker are
# encrypted with it. IAM policies of the account grant its use; CloudWatch Logs may use it for this account's
# log groups in this region; Managed Prometheus and CloudWatch alarms may use it for the alert topics (var.alerts).
data "aws_region" "current" {}

data "aws_partition" "current" {}

data "aws_iam_policy_document" "key" {
  #checkov:skip=CKV_AWS_111:A key policy's resource "*" is the key itself; the account statement is AWS's default key policy, which hands access control to IAM
  #checkov:skip=CKV_AWS_356:A key policy's resource "*" is the key itself, nothing else
  #checkov:skip=CKV_AWS_109:The account statement is AWS's default key policy: without it no one could administer the key
  statement {
    sid       = "AccountAdministersTheKeyThroughIAM"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsThisAccountsLogGroups"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${data.aws_region.current.name}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${var.account_id}:*"]
    }
  }
}

data "aws_iam_policy_document" "alerts" {
  #checkov:skip=CKV_AWS_356:A key policy's resource "*" is the key itself, nothing else
  #checkov:skip=CKV_AWS_111:A key policy's resource "*" is the key itself; the service may only make data keys, for this account
  source_policy_documents = [data.aws_iam_policy_document.key.json]

  # Amazon Managed Service for Prometheus and CloudWatch alarms publish alerts to the environment's SNS topics,
  # which this key encrypts: they may make data keys for them, for this account's workspaces and alarms only.
  statement {
    sid       = "AlertsArePublishedToEncryptedTopics"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["aps.amazonaws.com", "cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: secrets, databases, file systems, images, logs"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_days
  policy                  = var.alerts ? data.aws_iam_policy_document.alerts.json : data.aws_iam_policy_document.key.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
