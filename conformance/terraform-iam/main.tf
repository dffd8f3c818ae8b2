# Terraform conformance for cloudless IAM and STS: a function's execution
# role (aws_iam_role with a trust policy from aws_iam_policy_document, a
# path, tags, a maximum session duration), its inline policy
# (aws_iam_role_policy), a customer managed policy (aws_iam_policy) and
# AWS's AWSLambdaBasicExecutionRole attached to it
# (aws_iam_role_policy_attachment), an instance profile
# (aws_iam_instance_profile), a user with an inline policy and an access key
# (aws_iam_user, aws_iam_user_policy, aws_iam_access_key), two groups with
# a policy attached (aws_iam_group, aws_iam_group_policy_attachment) and
# both kinds of membership (aws_iam_group_membership,
# aws_iam_user_group_membership), and a service-linked role
# (aws_iam_service_linked_role). The provider runs WITHOUT
# skip_requesting_account_id or skip_credentials_validation: it asks STS
# GetCallerIdentity for the account, which data.aws_caller_identity shows
# too. The provider comes from the local mirror (terraformrc in this
# folder); tests/integration/test_terraform_iam.py runs init, apply, plan
# -detailed-exitcode (expects no changes) and destroy. Variables: endpoint
# and name_prefix.

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
  region                  = "us-east-1"
  access_key              = "test"
  secret_key              = "test"
  skip_metadata_api_check = true
  skip_region_validation  = true

  endpoints {
    iam = var.endpoint
    sts = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "lambda_trust" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "fn" {
  name                 = "${var.name_prefix}-fn"
  path                 = "/service/"
  description          = "execution role of the conformance function"
  assume_role_policy   = data.aws_iam_policy_document.lambda_trust.json
  max_session_duration = 7200
  tags = {
    Project = "cloudless"
  }
}

resource "aws_iam_role_policy" "fn_bucket" {
  name = "read-own-bucket"
  role = aws_iam_role.fn.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:ListBucket"]
      Resource = ["arn:aws:s3:::${var.name_prefix}-bucket", "arn:aws:s3:::${var.name_prefix}-bucket/*"]
    }]
  })
}

resource "aws_iam_policy" "queue" {
  name        = "${var.name_prefix}-queue"
  path        = "/app/"
  description = "consume the conformance queue"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "Consume"
      Effect   = "Allow"
      Action   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]
      Resource = "arn:aws:sqs:us-east-1:${data.aws_caller_identity.current.account_id}:${var.name_prefix}-queue"
    }]
  })
  tags = {
    Project = "cloudless"
  }
}

resource "aws_iam_role_policy_attachment" "queue" {
  role       = aws_iam_role.fn.name
  policy_arn = aws_iam_policy.queue.arn
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.fn.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}

resource "aws_iam_instance_profile" "fn" {
  name = "${var.name_prefix}-profile"
  role = aws_iam_role.fn.name
  tags = {
    Project = "cloudless"
  }
}

resource "aws_iam_user" "ci" {
  name = "${var.name_prefix}-ci"
  path = "/robots/"
  tags = {
    Project = "cloudless"
  }
}

resource "aws_iam_user_policy" "ci" {
  name = "describe"
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:Get*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_group" "deployers" {
  name = "${var.name_prefix}-deployers"
  path = "/teams/"
}

resource "aws_iam_group" "readers" {
  name = "${var.name_prefix}-readers"
}

resource "aws_iam_group_policy_attachment" "deployers" {
  group      = aws_iam_group.deployers.name
  policy_arn = aws_iam_policy.queue.arn
}

resource "aws_iam_group_membership" "deployers" {
  name  = "${var.name_prefix}-deployers-membership"
  group = aws_iam_group.deployers.name
  users = [aws_iam_user.ci.name]
}

resource "aws_iam_user_group_membership" "ci" {
  user   = aws_iam_user.ci.name
  groups = [aws_iam_group.readers.name]
}

resource "aws_iam_service_linked_role" "beanstalk" {
  aws_service_name = "elasticbeanstalk.amazonaws.com"
  custom_suffix    = var.name_prefix
  description      = "conformance service-linked role"
}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}

output "role_arn" {
  value = aws_iam_role.fn.arn
}

output "access_key_id" {
  value = aws_iam_access_key.ci.id
}

output "access_key_secret" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}
