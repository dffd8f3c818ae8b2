"""bench/configure_notification.py ENDPOINT BUCKET: creates an SQS queue and points
BUCKET's s3:ObjectCreated:* events at it (boto3, credentials test/test), so run.sh can
measure PUT throughput with event notifications on. Prints queue_url=URL."""
import sys

import boto3


def main():
    endpoint, bucket = sys.argv[1], sys.argv[2]
    kw = dict(endpoint_url=endpoint, region_name="us-east-1",
              aws_access_key_id="test", aws_secret_access_key="test")
    sqs = boto3.client("sqs", **kw)
    url = sqs.create_queue(QueueName=bucket + "-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("s3", **kw).put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    print("queue_url=%s" % url)


if __name__ == "__main__":
    main()
