"""bench/configure_iam_user.py ENDPOINT BUCKET: on a server started with --enforce-iam,
creates BUCKET and an IAM user whose one inline policy allows the bench's S3 actions on
that bucket only (boto3, root credentials test/test), so run.sh can send the same 4 KiB
request stream signed by that user and decided by IAM enforcement. Prints
access_key=... secret=..."""
import json
import sys

import boto3


def main():
    endpoint, bucket = sys.argv[1], sys.argv[2]
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="test", aws_secret_access_key="test")
    boto3.client("s3", **kw).create_bucket(Bucket=bucket)
    iam = boto3.client("iam", **kw)
    iam.create_user(UserName="bench")
    iam.put_user_policy(UserName="bench", PolicyName="bench-bucket", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                       "Resource": ["arn:aws:s3:::%s" % bucket, "arn:aws:s3:::%s/*" % bucket]}]}))
    key = iam.create_access_key(UserName="bench")["AccessKey"]
    print("access_key=%s secret=%s" % (key["AccessKeyId"], key["SecretAccessKey"]))


if __name__ == "__main__":
    main()
