# An EFS file system for one volume: encrypted at rest with the environment's key and in transit (the policy
# refuses other connections), backed up, a mount target per private subnet, and an access point per service that
# mounts it, all rooted at the same directory and writing as the services' user; only those access points may
# mount it.
resource "aws_efs_file_system" "this" {
  creation_token   = var.name
  encrypted        = true
  kms_key_id       = var.kms_key_arn
  performance_mode = "generalPurpose"
  throughput_mode  = "elastic"

  lifecycle_policy {
    transition_to_ia = "AFTER_30_DAYS"
  }

  tags = {
    Name = var.name
  }
}

resource "aws_efs_backup_policy" "this" {
  file_system_id = aws_efs_file_system.this.id

  backup_policy {
    status = "ENABLED"
  }
}

resource "aws_efs_mount_target" "this" {
  for_each = { for index, subnet in var.subnet_ids : tostring(index) => subnet }

  file_system_id  = aws_efs_file_system.this.id
  subnet_id       = each.value
  security_groups = [var.security_group_id]
}

resource "aws_efs_access_point" "this" {
  for_each = toset(var.users)

  file_system_id = aws_efs_file_system.this.id

  posix_user {
    uid = var.uid
    gid = var.uid
  }

  root_directory {
    path = "/data"

    creation_info {
      owner_uid   = var.uid
      owner_gid   = var.uid
      permissions = "0750"
    }
  }

  tags = {
    Name = "${var.name}-${each.key}"
  }
}

data "aws_iam_policy_document" "this" {
  statement {
    sid       = "OnlyThroughTheAccessPointsOverTls"
    effect    = "Deny"
    actions   = ["*"]
    resources = [aws_efs_file_system.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "MountThroughAnAccessPoint"
    actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
    resources = [aws_efs_file_system.this.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "elasticfilesystem:AccessedViaMountTarget"
      values   = ["true"]
    }

    condition {
      test     = "StringEquals"
      variable = "elasticfilesystem:AccessPointArn"
      values   = [for point in aws_efs_access_point.this : point.arn]
    }
  }
}

resource "aws_efs_file_system_policy" "this" {
  file_system_id = aws_efs_file_system.this.id
  policy         = data.aws_iam_policy_document.this.json
}
