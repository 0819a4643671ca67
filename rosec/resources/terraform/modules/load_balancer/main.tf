# The application load balancer: HTTPS only (TLS 1.3 policy), reachable only from CloudFront (the security
# group admits CloudFront's origin-facing addresses, and a request without CloudFront's secret header gets 403),
# routing each host name to its tasks; access logs to a private bucket.
data "aws_region" "current" {}

data "aws_partition" "current" {}

resource "aws_s3_bucket" "logs" {
  #checkov:skip=CKV_AWS_145:Load balancer access logs can only be written with SSE-S3, not with a KMS key
  #checkov:skip=CKV_AWS_18:This bucket holds access logs itself; logging it would recurse
  #checkov:skip=CKV_AWS_144:Access logs expire after the retention period; a replica would outlive it
  #checkov:skip=CKV2_AWS_62:Nothing reacts to new access log objects
  bucket_prefix = "${var.name}-logs-"
  force_destroy = !var.deletion_protection
}

resource "aws_s3_bucket_public_access_block" "logs" {
  bucket                  = aws_s3_bucket.logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "logs" {
  bucket = aws_s3_bucket.logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id

  rule {
    id     = "expire"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "LoadBalancerWritesAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.logs.arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = data.aws_iam_policy_document.logs.json
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_76:The WAF web ACL with the Log4j rules sits on the CloudFront distribution in front of this load balancer, which admits only CloudFront
  #checkov:skip=CKV2_AWS_28:WAF protects the CloudFront distribution, the only client this load balancer admits
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.subnet_ids
  security_groups            = [var.security_group_id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  # X-Forwarded-For as CloudFront wrote it (the viewer's address last): the gateway takes the client's address
  # from its last entry, which only CloudFront, the load balancer's one admitted client, writes.
  xff_header_processing_mode = "preserve"

  access_logs {
    bucket  = aws_s3_bucket.logs.id
    enabled = true
  }

  depends_on = [aws_s3_bucket_policy.logs]
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; behind it traffic stays in the private subnets, where only the load balancer's group may reach the tasks
  for_each = var.targets

  name        = each.value.name
  target_type = "ip"
  protocol    = "HTTP"
  port        = each.value.port
  vpc_id      = var.vpc_id

  health_check {
    path                = each.value.health_path
    port                = tostring(each.value.health_port)
    protocol            = "HTTP"
    matcher             = "200"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "text/plain"
      message_body = "Forbidden"
      status_code  = "403"
    }
  }
}

resource "aws_lb_listener_rule" "this" {
  for_each = var.targets

  listener_arn = aws_lb_listener.https.arn
  priority     = 10 + index(sort(keys(var.targets)), each.key)

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    host_header {
      values = [each.value.host]
    }
  }

  condition {
    http_header {
      http_header_name = var.origin_header
      values           = [var.origin_secret]
    }
  }
}
