# Terraform conformance for cloudless EventBridge and EventBridge Scheduler:
# a custom event bus (aws_cloudwatch_event_bus), a rate(1 minute) rule on the
# default bus invoking a python function (aws_cloudwatch_event_rule,
# aws_cloudwatch_event_target, aws_lambda_permission for events.amazonaws.com),
# a pattern rule on the custom bus sending to a queue through an input
# transformer with a retry policy and a dead-letter queue, and a schedule
# group with a cron schedule in a time zone (aws_scheduler_schedule_group,
# aws_scheduler_schedule) — the "run my function every minute" setup. The
# provider comes from the local mirror (terraformrc in this folder);
# tests/integration/test_terraform_events.py runs init, apply, plan
# -detailed-exitcode (expects no changes) and destroy. Variables: endpoint,
# name_prefix and zip_path.

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
    events    = var.endpoint
    scheduler = var.endpoint
    lambda    = var.endpoint
    logs      = var.endpoint
    sqs       = var.endpoint
    iam       = var.endpoint
    sts       = var.endpoint
  }
}

resource "aws_lambda_function" "tick" {
  function_name    = "${var.name_prefix}-tick"
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  handler          = "app.handler"
  runtime          = "python3.12"
  role             = "arn:aws:iam::000000000000:role/lambda"
}

resource "aws_cloudwatch_event_rule" "every_minute" {
  name                = "${var.name_prefix}-every-minute"
  description         = "runs the function every minute"
  schedule_expression = "rate(1 minute)"
  tags = {
    Project = "cloudless"
  }
}

resource "aws_cloudwatch_event_target" "tick" {
  rule      = aws_cloudwatch_event_rule.every_minute.name
  target_id = "tick"
  arn       = aws_lambda_function.tick.arn
  input     = jsonencode({ from = "terraform" })
}

resource "aws_lambda_permission" "events" {
  statement_id  = "AllowEventBridgeInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.tick.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.every_minute.arn
}

resource "aws_cloudwatch_event_bus" "orders" {
  name = "${var.name_prefix}-orders"
  tags = {
    Project = "cloudless"
  }
}

resource "aws_sqs_queue" "orders" {
  name = "${var.name_prefix}-orders"
}

resource "aws_sqs_queue" "dead_letters" {
  name = "${var.name_prefix}-dead-letters"
}

resource "aws_cloudwatch_event_rule" "big_orders" {
  name           = "${var.name_prefix}-big-orders"
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  event_pattern = jsonencode({
    source      = ["shop.orders"]
    detail-type = ["Order Placed"]
    detail = {
      total = [{ numeric = [">=", 100] }]
    }
  })
}

resource "aws_cloudwatch_event_target" "big_orders" {
  rule           = aws_cloudwatch_event_rule.big_orders.name
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  target_id      = "queue"
  arn            = aws_sqs_queue.orders.arn
  input_transformer {
    input_paths = {
      id    = "$.detail.id"
      total = "$.detail.total"
    }
    input_template = "{\"order\": <id>, \"total\": <total>}"
  }
  retry_policy {
    maximum_retry_attempts       = 4
    maximum_event_age_in_seconds = 3600
  }
  dead_letter_config {
    arn = aws_sqs_queue.dead_letters.arn
  }
}

resource "aws_scheduler_schedule_group" "jobs" {
  name = "${var.name_prefix}-jobs"
  tags = {
    Project = "cloudless"
  }
}

resource "aws_scheduler_schedule" "nightly" {
  name                         = "${var.name_prefix}-nightly"
  group_name                   = aws_scheduler_schedule_group.jobs.name
  schedule_expression          = "cron(0 3 * * ? *)"
  schedule_expression_timezone = "Europe/Paris"
  description                  = "nightly report"
  flexible_time_window {
    mode = "OFF"
  }
  target {
    arn      = aws_sqs_queue.orders.arn
    role_arn = "arn:aws:iam::000000000000:role/scheduler"
    input    = jsonencode({ job = "report" })
    retry_policy {
      maximum_retry_attempts       = 2
      maximum_event_age_in_seconds = 600
    }
  }
}

output "rule_arn" {
  value = aws_cloudwatch_event_rule.every_minute.arn
}

output "schedule_arn" {
  value = aws_scheduler_schedule.nightly.arn
}
