output "name" {
  description = "The bucket."
  value       = aws_s3_bucket.this.id
}

output "arn" {
  description = "The bucket's ARN."
  value       = aws_s3_bucket.this.arn
}

output "versions" {
  description = "Version id of each object: a task definition that names it rolls out on a change."
  value       = { for key, object in aws_s3_object.this : key => object.version_id }
}
