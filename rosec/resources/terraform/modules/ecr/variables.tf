variable "name" {
  description = "Repository name, e.g. shop/orders."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts the images."
  type        = string
}

variable "keep_images" {
  description = "How many tagged images the lifecycle policy keeps."
  type        = number
  default     = 50
}
