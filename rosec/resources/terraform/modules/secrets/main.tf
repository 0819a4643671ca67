# The environment's secrets. No value ever appears in Terraform or its state: a supplied secret is created
# empty (put its value before the services start), a generated one gets a random value through a write-only
# argument from an ephemeral random password, an optional one starts blank (a space, which the services read as
# unset).
locals {
  generated = { for key, secret in var.secrets : key => secret if secret.origin == "generated" }
  optional  = { for key, secret in var.secrets : key => secret if secret.origin == "optional" }
}

resource "aws_secretsmanager_secret" "this" {
  #checkov:skip=CKV2_AWS_57:Supplied secrets are rotated where they are issued and put here; generated ones are read by services at start: rotating them needs a rotation function per kind of consumer
  for_each = var.secrets

  name                    = each.value.name
  description             = each.value.description
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
}

ephemeral "aws_secretsmanager_random_password" "this" {
  for_each = local.generated

  # 40 characters; tied to the secret's id so that the password is drawn when the secret is written (at apply),
  # not while an environment is planned.
  password_length     = 40 + 0 * length(aws_secretsmanager_secret.this[each.key].id)
  exclude_punctuation = true
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each = local.generated

  secret_id                = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo         = ephemeral.aws_secretsmanager_random_password.this[each.key].random_password
  secret_string_wo_version = 1
}

resource "aws_secretsmanager_secret_version" "optional" {
  for_each = local.optional

  secret_id                = aws_secretsmanager_secret.this[each.key].id
  secret_string_wo         = " "
  secret_string_wo_version = 1
}
