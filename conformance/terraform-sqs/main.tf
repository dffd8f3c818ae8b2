# Terraform conformance for cloudless SQS: a standard queue with a dead-letter
# queue (aws_sqs_queue_redrive_policy), a FIFO queue, a queue policy
# (aws_sqs_queue_policy) and tags, against a local endpoint. The provider comes
# from the local mirror (see terraformrc in this folder); tests/integration/
# test_terraform_sqs.py runs init, apply, plan -detailed-exitcode (expects no
# changes) and destroy. Variables: endpoint (http://127.0.0.1:4566) and
# name_prefix (unique per run).

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "endpoint" {
  type    = string
  default = "http://127.0.0.1:4566"
}

variable "name_prefix" {
  type    = string
  default = "tf-conformance"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    sqs = var.endpoint
    sts = var.endpoint
    iam = var.endpoint
  }
}

resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name_prefix}-dlq"
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "jobs" {
  name                       = "${var.name_prefix}-jobs"
  visibility_timeout_seconds = 45
  delay_seconds              = 2
  max_message_size           = 2048
  receive_wait_time_seconds  = 5

  tags = {
    Project = "cloudless"
    Purpose = "conformance"
  }
}

resource "aws_sqs_queue_redrive_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters.arn
    maxReceiveCount     = 4
  })
}

resource "aws_sqs_queue" "ordered" {
  name                        = "${var.name_prefix}-ordered.fifo"
  fifo_queue                  = true
  content_based_deduplication = true
  deduplication_scope         = "messageGroup"
  fifo_throughput_limit       = "perMessageGroupId"
}

resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AllowSendFromAccount"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::000000000000:root" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.jobs.arn
    }]
  })
}

output "jobs_url" {
  value = aws_sqs_queue.jobs.id
}
