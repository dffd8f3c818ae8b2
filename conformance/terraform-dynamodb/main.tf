# Terraform conformance for cloudless DynamoDB: an aws_dynamodb_table with a global
# and a local secondary index, TTL, a stream, point-in-time recovery, server-side
# encryption and tags, plus a PROVISIONED table with an aws_dynamodb_table_item,
# against a local endpoint; a second apply with grow = true adds a global index
# and changes throughput (UpdateTable). The provider comes from the local mirror (see
# terraformrc in this folder); tests/integration/test_terraform_dynamodb.py runs
# init, apply, plan -detailed-exitcode (expects no changes), the second apply, plan
# again and destroy. Variables: endpoint (http://127.0.0.1:4566), name_prefix
# (unique per run) and grow.

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

# The second apply of the test turns this on: UpdateTable adds a global index to
# the table (backfilled) and changes the provisioned throughput of the other.
variable "grow" {
  type    = bool
  default = false
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
  }
}

resource "aws_dynamodb_table" "orders" {
  name         = "${var.name_prefix}-orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "customer"
  range_key    = "order_id"

  attribute {
    name = "customer"
    type = "S"
  }
  attribute {
    name = "order_id"
    type = "S"
  }
  attribute {
    name = "placed_at"
    type = "N"
  }
  attribute {
    name = "status"
    type = "S"
  }
  dynamic "attribute" {
    for_each = var.grow ? ["total"] : []
    content {
      name = attribute.value
      type = "N"
    }
  }

  global_secondary_index {
    name               = "by-status"
    hash_key           = "status"
    range_key          = "placed_at"
    projection_type    = "INCLUDE"
    non_key_attributes = ["total"]
  }

  dynamic "global_secondary_index" {
    for_each = var.grow ? ["by-total"] : []
    content {
      name            = global_secondary_index.value
      hash_key        = "status"
      range_key       = "total"
      projection_type = "KEYS_ONLY"
    }
  }

  local_secondary_index {
    name            = "by-placed-at"
    range_key       = "placed_at"
    projection_type = "KEYS_ONLY"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = false

  tags = {
    Project = "cloudless"
    Purpose = "conformance"
  }
}

resource "aws_dynamodb_table" "counters" {
  name           = "${var.name_prefix}-counters"
  billing_mode   = "PROVISIONED"
  read_capacity  = var.grow ? 10 : 5
  write_capacity = 5
  hash_key       = "id"
  table_class    = "STANDARD_INFREQUENT_ACCESS"

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_dynamodb_table_item" "first" {
  table_name = aws_dynamodb_table.counters.name
  hash_key   = aws_dynamodb_table.counters.hash_key
  item       = jsonencode({ id = { S = "visits" }, count = { N = "1" } })
}

output "orders_arn" {
  value = aws_dynamodb_table.orders.arn
}

output "orders_stream_arn" {
  value = aws_dynamodb_table.orders.stream_arn
}
