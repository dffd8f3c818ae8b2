/* captured_requests: real request bodies for every SQS operation, as botocore
 * serializes them: JSON from boto3 1.43 (X-Amz-Target AmazonSQS.<Op>), query
 * from Debian's boto3 1.26 (which predates the move-task operations, so
 * those query bodies are written the same way by hand). Same parameters in
 * both, so one checker per operation validates both decodings. */
#ifndef SQS_CAPTURED_REQUESTS_H
#define SQS_CAPTURED_REQUESTS_H

struct captured_request {
    const char *op;
    const char *json;
    const char *query;
};

static const struct captured_request captured_requests[] = {
    {"CreateQueue",
     "{\"QueueName\": \"q1.fifo\", \"Attributes\": {\"FifoQueue\": \"true\", \"VisibilityTimeout\": \"45\"}, \"tags\": {\"env\": \"dev\"}}",
     "Action=CreateQueue&Version=2012-11-05&QueueName=q1.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=45&Tag.1.Key=env&Tag.1.Value=dev"},
    {"GetQueueUrl",
     "{\"QueueName\": \"q1\", \"QueueOwnerAWSAccountId\": \"000000000000\"}",
     "Action=GetQueueUrl&Version=2012-11-05&QueueName=q1&QueueOwnerAWSAccountId=000000000000"},
    {"ListQueues",
     "{\"QueueNamePrefix\": \"q\", \"MaxResults\": 5, \"NextToken\": \"tok\"}",
     "Action=ListQueues&Version=2012-11-05&QueueNamePrefix=q&MaxResults=5&NextToken=tok"},
    {"DeleteQueue",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\"}",
     "Action=DeleteQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1"},
    {"GetQueueAttributes",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"AttributeNames\": [\"All\", \"VisibilityTimeout\"]}",
     "Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&AttributeName.1=All&AttributeName.2=VisibilityTimeout"},
    {"SetQueueAttributes",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Attributes\": {\"DelaySeconds\": \"5\"}}",
     "Action=SetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5"},
    {"PurgeQueue",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\"}",
     "Action=PurgeQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1"},
    {"ListDeadLetterSourceQueues",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"MaxResults\": 10}",
     "Action=ListDeadLetterSourceQueues&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&MaxResults=10"},
    {"SendMessage",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"MessageBody\": \"hello & <world>\", \"DelaySeconds\": 3, \"MessageAttributes\": {\"s\": {\"DataType\": \"String\", \"StringValue\": \"v\"}, \"b\": {\"DataType\": \"Binary\", \"BinaryValue\": \"AAE=\"}, \"n\": {\"DataType\": \"Number.int\", \"StringValue\": \"42\"}}, \"MessageSystemAttributes\": {\"AWSTraceHeader\": {\"DataType\": \"String\", \"StringValue\": \"Root=1\"}}, \"MessageDeduplicationId\": \"d1\", \"MessageGroupId\": \"g1\"}",
     "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&MessageBody=hello+%26+%3Cworld%3E&DelaySeconds=3&MessageAttribute.1.Name=s&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=v&MessageAttribute.2.Name=b&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AAE%3D&MessageAttribute.3.Name=n&MessageAttribute.3.Value.DataType=Number.int&MessageAttribute.3.Value.StringValue=42&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1&MessageDeduplicationId=d1&MessageGroupId=g1"},
    {"SendMessageBatch",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Entries\": [{\"Id\": \"a\", \"MessageBody\": \"one\", \"DelaySeconds\": 1, \"MessageAttributes\": {\"k\": {\"DataType\": \"String\", \"StringValue\": \"x\"}}}, {\"Id\": \"b\", \"MessageBody\": \"two\", \"MessageGroupId\": \"g\", \"MessageDeduplicationId\": \"dd\"}]}",
     "Action=SendMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one&SendMessageBatchRequestEntry.1.DelaySeconds=1&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=String&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=x&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two&SendMessageBatchRequestEntry.2.MessageGroupId=g&SendMessageBatchRequestEntry.2.MessageDeduplicationId=dd"},
    {"ReceiveMessage",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"AttributeNames\": [\"All\"], \"MessageAttributeNames\": [\"All\"], \"MaxNumberOfMessages\": 10, \"VisibilityTimeout\": 20, \"WaitTimeSeconds\": 5, \"ReceiveRequestAttemptId\": \"att\"}",
     "Action=ReceiveMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&AttributeName.1=All&MessageAttributeName.1=All&MaxNumberOfMessages=10&VisibilityTimeout=20&WaitTimeSeconds=5&ReceiveRequestAttemptId=att"},
    {"DeleteMessage",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"ReceiptHandle\": \"rh1\"}",
     "Action=DeleteMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&ReceiptHandle=rh1"},
    {"DeleteMessageBatch",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Entries\": [{\"Id\": \"a\", \"ReceiptHandle\": \"rh1\"}, {\"Id\": \"b\", \"ReceiptHandle\": \"rh2\"}]}",
     "Action=DeleteMessageBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&DeleteMessageBatchRequestEntry.1.Id=a&DeleteMessageBatchRequestEntry.1.ReceiptHandle=rh1&DeleteMessageBatchRequestEntry.2.Id=b&DeleteMessageBatchRequestEntry.2.ReceiptHandle=rh2"},
    {"ChangeMessageVisibility",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"ReceiptHandle\": \"rh1\", \"VisibilityTimeout\": 60}",
     "Action=ChangeMessageVisibility&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&ReceiptHandle=rh1&VisibilityTimeout=60"},
    {"ChangeMessageVisibilityBatch",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Entries\": [{\"Id\": \"a\", \"ReceiptHandle\": \"rh1\", \"VisibilityTimeout\": 10}, {\"Id\": \"b\", \"ReceiptHandle\": \"rh2\"}]}",
     "Action=ChangeMessageVisibilityBatch&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&ChangeMessageVisibilityBatchRequestEntry.1.Id=a&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=rh1&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=10&ChangeMessageVisibilityBatchRequestEntry.2.Id=b&ChangeMessageVisibilityBatchRequestEntry.2.ReceiptHandle=rh2"},
    {"TagQueue",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Tags\": {\"a\": \"1\", \"b\": \"2\"}}",
     "Action=TagQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&Tag.1.Key=a&Tag.1.Value=1&Tag.2.Key=b&Tag.2.Value=2"},
    {"UntagQueue",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"TagKeys\": [\"a\", \"b\"]}",
     "Action=UntagQueue&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&TagKey.1=a&TagKey.2=b"},
    {"ListQueueTags",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\"}",
     "Action=ListQueueTags&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1"},
    {"AddPermission",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Label\": \"lbl\", \"AWSAccountIds\": [\"111111111111\"], \"Actions\": [\"SendMessage\", \"ReceiveMessage\"]}",
     "Action=AddPermission&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&Label=lbl&AWSAccountId.1=111111111111&ActionName.1=SendMessage&ActionName.2=ReceiveMessage"},
    {"RemovePermission",
     "{\"QueueUrl\": \"http://localhost:4566/000000000000/q1\", \"Label\": \"lbl\"}",
     "Action=RemovePermission&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq1&Label=lbl"},
    {"StartMessageMoveTask",
     "{\"SourceArn\": \"arn:aws:sqs:us-east-1:000000000000:dlq\", \"DestinationArn\": \"arn:aws:sqs:us-east-1:000000000000:q1\", \"MaxNumberOfMessagesPerSecond\": 50}",
     "Action=StartMessageMoveTask&Version=2012-11-05&SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq&DestinationArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Aq1&MaxNumberOfMessagesPerSecond=50"},
    {"ListMessageMoveTasks",
     "{\"SourceArn\": \"arn:aws:sqs:us-east-1:000000000000:dlq\", \"MaxResults\": 5}",
     "Action=ListMessageMoveTasks&Version=2012-11-05&SourceArn=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3Adlq&MaxResults=5"},
    {"CancelMessageMoveTask",
     "{\"TaskHandle\": \"th1\"}",
     "Action=CancelMessageMoveTask&Version=2012-11-05&TaskHandle=th1"},
};

#endif
