# One security group per task, database, file system, the broker and the load balancer, and exactly the
# connections the spec implies: an ingress rule on the target and the matching egress rule on the source.
resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:The modules of the tasks, databases, file systems, broker and load balancer attach these groups; checkov does not follow module outputs
  for_each = var.groups

  name        = "${var.name}-${each.key}"
  description = each.value
  vpc_id      = var.vpc_id

  tags = {
    Name = "${var.name}-${each.key}"
  }
}

resource "aws_vpc_security_group_ingress_rule" "this" {
  for_each = var.rules

  security_group_id            = aws_security_group.this[each.value.target].id
  referenced_security_group_id = aws_security_group.this[each.value.source].id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "this" {
  for_each = var.rules

  security_group_id            = aws_security_group.this[each.value.source].id
  referenced_security_group_id = aws_security_group.this[each.value.target].id
  description                  = each.value.description
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port
}

resource "aws_vpc_security_group_egress_rule" "internet" {
  for_each = toset(var.internet_egress)

  security_group_id = aws_security_group.this[each.key].id
  description       = "HTTPS to AWS APIs and the internet"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "outside" {
  for_each = var.outside_egress

  security_group_id = aws_security_group.this[each.value.group].id
  description       = each.value.description
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
}

resource "aws_vpc_security_group_ingress_rule" "load_balancer" {
  security_group_id = aws_security_group.this[var.load_balancer.group].id
  description       = "HTTPS from CloudFront"
  prefix_list_id    = var.load_balancer.prefix_list_id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}
