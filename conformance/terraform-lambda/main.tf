# Terraform conformance for cloudless Lambda and CloudWatch Logs: a python
# function from a local zip (aws_lambda_function with filename), a permission
# for S3 to invoke it (aws_lambda_permission), its log group with a
# retention (aws_cloudwatch_log_group), a bucket whose object creations
# invoke it (aws_s3_bucket_notification with lambda_function) and a queue
# it consumes (aws_lambda_event_source_mapping), against a local endpoint. The provider
# comes from the local mirror (terraformrc in this folder); tests/integration/
# test_terraform_lambda.py runs init, apply, plan -detailed-exitcode (expects
# no changes) and destroy. Variables: endpoint, name_prefix and zip_path.

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

variable "zip_path" {
  type    = string
  default = "fn.zip"
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
    lambda = var.endpoint
    logs   = var.endpoint
    iam    = var.endpoint
    sts    = var.endpoint
    s3     = var.endpoint
    sqs    = var.endpoint
  }
}

resource "aws_cloudwatch_log_group" "fn" {
  name              = "/aws/lambda/${var.name_prefix}-fn"
  retention_in_days = 14
  tags = {
    Project = "cloudless"
  }
}

resource "aws_lambda_function" "fn" {
  function_name    = "${var.name_prefix}-fn"
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "app.handler"
  runtime          = "python3.12"
  role             = "arn:aws:iam::000000000000:role/lambda"
  timeout          = 10
  memory_size      = 256
  environment {
    variables = {
      GREETING = "hello"
    }
  }
  tags = {
    Project = "cloudless"
  }
  depends_on = [aws_cloudwatch_log_group.fn]
}

resource "aws_lambda_permission" "s3" {
  statement_id  = "AllowS3Invoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.fn.function_name
  principal     = "s3.amazonaws.com"
  source_arn    = "arn:aws:s3:::${var.name_prefix}-bucket"
}

resource "aws_s3_bucket" "uploads" {
  bucket        = "${var.name_prefix}-bucket"
  force_destroy = true
}

resource "aws_s3_bucket_notification" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.fn.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = "incoming/"
  }
  depends_on = [aws_lambda_permission.s3]
}

resource "aws_sqs_queue" "work" {
  name                       = "${var.name_prefix}-work"
  visibility_timeout_seconds = 30
}

resource "aws_lambda_event_source_mapping" "work" {
  event_source_arn                   = aws_sqs_queue.work.arn
  function_name                      = aws_lambda_function.fn.arn
  batch_size                         = 5
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]
  scaling_config {
    maximum_concurrency = 2
  }
}

output "function_arn" {
  value = aws_lambda_function.fn.arn
}

output "mapping_uuid" {
  value = aws_lambda_event_source_mapping.work.uuid
}
