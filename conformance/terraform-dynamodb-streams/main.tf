# Terraform conformance for cloudless DynamoDB Streams into Lambda: an
# aws_dynamodb_table with a stream (stream_enabled, stream_view_type), a python
# function from a local zip, an SQS queue for discarded batches, and an
# aws_lambda_event_source_mapping from the table's stream_arn with a starting
# position, batching, a filter, bisection, retries, a record age and an
# OnFailure destination, against a local endpoint. The provider comes from the
# local mirror (terraformrc in this folder); tests/integration/
# test_terraform_dynamodb.py runs init, apply, writes an item and waits for the
# function to see it, plan -detailed-exitcode (expects no changes) and destroy.
# Variables: endpoint, name_prefix, zip_path and out_dir (where the function
# writes what it is given).

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

variable "out_dir" {
  type    = string
  default = "/tmp"
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
    dynamodb = var.endpoint
    lambda   = var.endpoint
    sqs      = var.endpoint
    iam      = var.endpoint
    sts      = var.endpoint
  }
}

resource "aws_dynamodb_table" "events" {
  name             = "${var.name_prefix}-events"
  billing_mode     = "PAY_PER_REQUEST"
  hash_key         = "id"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }
}

resource "aws_lambda_function" "consumer" {
  function_name    = "${var.name_prefix}-consumer"
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "app.handler"
  runtime          = "python3.12"
  role             = "arn:aws:iam::000000000000:role/lambda"
  timeout          = 10
  environment {
    variables = {
      OUT = var.out_dir
    }
  }
}

resource "aws_sqs_queue" "discarded" {
  name = "${var.name_prefix}-discarded"
}

resource "aws_lambda_event_source_mapping" "changes" {
  event_source_arn                   = aws_dynamodb_table.events.stream_arn
  function_name                      = aws_lambda_function.consumer.arn
  starting_position                  = "TRIM_HORIZON"
  batch_size                         = 50
  maximum_batching_window_in_seconds = 1
  bisect_batch_on_function_error     = true
  maximum_retry_attempts             = 3
  maximum_record_age_in_seconds      = 3600
  parallelization_factor             = 1
  function_response_types            = ["ReportBatchItemFailures"]

  filter_criteria {
    filter {
      pattern = jsonencode({ eventName = ["INSERT", "MODIFY"] })
    }
  }

  destination_config {
    on_failure {
      destination_arn = aws_sqs_queue.discarded.arn
    }
  }
}

output "stream_arn" {
  value = aws_dynamodb_table.events.stream_arn
}

output "mapping_uuid" {
  value = aws_lambda_event_source_mapping.changes.uuid
}
