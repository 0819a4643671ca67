output "host" {
  description = "Host name of the broker's AMQPS endpoint."
  value       = regex("^amqps://([^:]+)", aws_mq_broker.this.instances[0].endpoints[0])[0]
}

output "id" {
  description = "The broker."
  value       = aws_mq_broker.this.id
}
