# Amazon MQ for RabbitMQ: private, AMQP over TLS only, encrypted with the environment's key, general logs to
# CloudWatch, minor versions upgraded in the maintenance window. Amazon MQ takes the user's password as an
# argument, so this is the one secret that passes through the Terraform state (the S3 backend encrypts it):
# it is read from Secrets Manager, where the secrets module generated it.
data "aws_secretsmanager_secret_version" "password" {
  secret_id  = var.password_secret_arn
  version_id = var.password_version
}

resource "aws_mq_broker" "this" {
  broker_name                = var.name
  engine_type                = "RabbitMQ"
  engine_version             = var.engine_version
  host_instance_type         = var.instance_type
  deployment_mode            = var.deployment_mode
  publicly_accessible        = false
  auto_minor_version_upgrade = true
  subnet_ids                 = var.deployment_mode == "SINGLE_INSTANCE" ? [var.subnet_ids[0]] : var.subnet_ids
  security_groups            = [var.security_group_id]

  encryption_options {
    kms_key_id        = var.kms_key_arn
    use_aws_owned_key = false
  }

  logs {
    general = true
  }

  maintenance_window_start_time {
    day_of_week = "SUNDAY"
    time_of_day = "03:00"
    time_zone   = "UTC"
  }

  user {
    username = var.username
    password = data.aws_secretsmanager_secret_version.password.secret_string
  }
}
