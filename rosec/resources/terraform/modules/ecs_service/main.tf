# One ECS service on Fargate: its task definition (non-root, read-only root file system, logs to its own
# encrypted log group, secrets by ARN), an execution role that reads exactly its secrets and writes exactly its
# log group, a task role with only what it uses, Service Connect under its own name, a deployment circuit
# breaker with rollback, and CPU target tracking when it scales.
data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  config_volume = "config"
  config_copy = var.config == null ? "" : join(" && ", [
    for file in var.config.files : "aws s3 cp s3://${var.config.bucket}/${file} ${var.config.dir}/${file}"
  ])
  writable = { for index, path in var.writable_paths : "writable-${index}" => path }
  log_configuration = {
    logDriver = "awslogs"
    options = {
      awslogs-group         = aws_cloudwatch_log_group.this.name
      awslogs-region        = data.aws_region.current.name
      awslogs-stream-prefix = var.name
    }
  }
  init_container = var.config == null ? [] : [{
    name             = "config"
    image            = var.config.image
    essential        = false
    entryPoint       = ["/bin/sh", "-c"]
    command          = [local.config_copy]
    logConfiguration = local.log_configuration
    mountPoints      = [{ sourceVolume = local.config_volume, containerPath = var.config.dir, readOnly = false }]
    environment      = [for key, version in var.config.versions : { name = "VERSION_${upper(replace(replace(key, ".", "_"), "-", "_"))}", value = version }]
  }]
  container = {
    name                   = var.name
    image                  = var.image
    essential              = true
    user                   = var.user
    entryPoint             = length(var.entry_point) > 0 ? var.entry_point : null
    command                = length(var.command) > 0 ? var.command : null
    readonlyRootFilesystem = var.read_only_root
    portMappings           = [for port in var.ports : { name = port.name, containerPort = port.port, protocol = "tcp" }]
    environment            = [for key in sort(keys(var.environment)) : { name = key, value = var.environment[key] }]
    secrets                = [for key in sort(keys(var.secrets)) : { name = key, valueFrom = var.secrets[key] }]
    logConfiguration       = local.log_configuration
    healthCheck = {
      command     = var.health_command
      interval    = 10
      timeout     = 5
      retries     = 3
      startPeriod = 60
    }
    mountPoints = concat(
      [for name, volume in var.volumes : { sourceVolume = name, containerPath = volume.path, readOnly = false }],
      [for name, path in local.writable : { sourceVolume = name, containerPath = path, readOnly = false }],
      var.config == null ? [] : [{ sourceVolume = local.config_volume, containerPath = var.config.dir, readOnly = true }],
    )
    dependsOn = var.config == null ? null : [{ containerName = "config", condition = "SUCCESS" }]
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention follows the spec (environments.<env>.logs.retention_days): the team decides how long logs live
  name              = var.log_group
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = var.role_names.execution
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "WriteOwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = var.repository_arn == null ? [] : [var.repository_arn]

    content {
      sid       = "PullOwnImage"
      actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = var.repository_arn == null ? [] : [var.repository_arn]

    content {
      sid       = "LogInToTheRegistry"
      actions   = ["ecr:GetAuthorizationToken"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.secret_arns) > 0 ? [var.secret_arns] : []

    content {
      sid       = "ReadOwnSecrets"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = statement.value
    }
  }

  statement {
    sid       = "DecryptWithTheEnvironmentKey"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-${var.name}"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

resource "aws_iam_role" "task" {
  name               = var.role_names.task
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "task" {
  source_policy_documents = var.task_policy_json == null ? [] : [var.task_policy_json]

  dynamic "statement" {
    for_each = var.volumes

    content {
      sid       = "MountVolume${replace(title(replace(statement.key, "-", " ")), " ", "")}"
      actions   = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      resources = [statement.value.file_system_arn]

      condition {
        test     = "StringEquals"
        variable = "elasticfilesystem:AccessPointArn"
        values   = [statement.value.access_point_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = var.config == null ? [] : [var.config]

    content {
      sid       = "ReadOwnConfiguration"
      actions   = ["s3:GetObject"]
      resources = [for file in statement.value.files : "${statement.value.bucket_arn}/${file}"]
    }
  }

  statement {
    sid       = "DecryptWithTheEnvironmentKey"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "run-${var.name}"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.cpu)
  memory                   = tostring(var.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn
  container_definitions    = jsonencode(concat(local.init_container, [local.container]))

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  dynamic "volume" {
    for_each = var.volumes

    content {
      name = volume.key

      efs_volume_configuration {
        file_system_id     = volume.value.file_system_id
        transit_encryption = "ENABLED"

        authorization_config {
          access_point_id = volume.value.access_point_id
          iam             = "ENABLED"
        }
      }
    }
  }

  dynamic "volume" {
    for_each = merge(local.writable, var.config == null ? {} : { (local.config_volume) = var.config.dir })

    content {
      name = volume.key
    }
  }
}

resource "aws_service_discovery_service" "this" {
  count = var.discovery == null ? 0 : 1

  name = var.name

  dns_config {
    namespace_id   = var.discovery.namespace_id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_ecs_service" "this" {
  name                               = var.name
  cluster                            = var.cluster.arn
  task_definition                    = aws_ecs_task_definition.this.arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  wait_for_steady_state              = false

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [var.security_group_id]
    assign_public_ip = false
  }

  dynamic "load_balancer" {
    for_each = var.load_balancer == null ? [] : [var.load_balancer]

    content {
      target_group_arn = load_balancer.value.target_group_arn
      container_name   = var.name
      container_port   = load_balancer.value.port
    }
  }

  service_connect_configuration {
    enabled   = true
    namespace = var.namespace_arn

    dynamic "service" {
      for_each = [for port in var.ports : port if port.discoverable]

      content {
        port_name      = service.value.name
        discovery_name = "${var.name}-${service.value.name}"

        client_alias {
          dns_name = var.name
          port     = service.value.port
        }
      }
    }

    log_configuration {
      log_driver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = "service-connect"
      }
    }
  }

  dynamic "service_registries" {
    for_each = aws_service_discovery_service.this

    content {
      registry_arn = service_registries.value.arn
    }
  }
}

resource "aws_appautoscaling_target" "this" {
  count = var.autoscaling == null ? 0 : 1

  service_namespace  = "ecs"
  resource_id        = "service/${var.cluster.name}/${aws_ecs_service.this.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.autoscaling.min
  max_capacity       = var.autoscaling.max
}

resource "aws_appautoscaling_policy" "cpu" {
  count = var.autoscaling == null ? 0 : 1

  name               = "${var.family}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  resource_id        = aws_appautoscaling_target.this[0].resource_id
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.autoscaling.cpu_target
    scale_in_cooldown  = 120
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
