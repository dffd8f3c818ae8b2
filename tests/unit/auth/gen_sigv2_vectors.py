#!/usr/bin/env python3
"""gen_sigv2_vectors: prints the SigV2 test vectors embedded in test_sigv2.c.

The requests are signed by the clients' own code, not by cloudless:
botocore's HmacV1Auth / HmacV1QueryAuth (aws-cli v1, boto3 with
signature_version "s3") and s3cmd's sign_request_v2 (Debian's s3cmd,
/usr/lib/python3/dist-packages). Dates and expiry times are pinned so the
output is stable. Run with the pyenv python3 (botocore) and
PYTHONPATH=/usr/lib/python3/dist-packages for s3cmd:

    PYTHONPATH=/usr/lib/python3/dist-packages python3 gen_sigv2_vectors.py
"""
from urllib.parse import urlsplit

from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
FIXED_DATE = "Mon, 09 Sep 2024 10:00:00 GMT"
FIXED_EXPIRES = "1725876000"            # 2024-09-09T10:00:00Z


class PinnedHeaderAuth(HmacV1Auth):
    def _get_date(self):
        return FIXED_DATE


class PinnedQueryAuth(HmacV1QueryAuth):
    def _get_date(self):
        return FIXED_EXPIRES


def show(name, request, auth):
    auth.add_auth(request)
    final = urlsplit(request.url)
    # Rebuilt after signing: add_auth adds x-amz-security-token first, and the
    # query parameters it appends are not sub-resources.
    string_to_sign = auth.canonical_string(request.method, final, request.headers,
                                           auth_path=request.auth_path)
    print(f"== {name}")
    print(f"method: {request.method}")
    print(f"host:   {final.netloc}")
    print(f"path:   {final.path}")
    print(f"query:  {final.query}")
    for key, value in request.headers.items():
        print(f"header: {key.lower()}: {value}")
    print(f"sts:    {string_to_sign!r}")
    print()


def header_signed(name, method, url, headers=None, auth_path=None, token=None):
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    request = AWSRequest(method=method, url=url, headers=headers or {}, auth_path=auth_path)
    show(name, request, PinnedHeaderAuth(creds))


def presigned(name, method, url, headers=None, auth_path=None, token=None):
    creds = Credentials(ACCESS_KEY, SECRET_KEY, token)
    request = AWSRequest(method=method, url=url, headers=headers or {}, auth_path=auth_path)
    show(name, request, PinnedQueryAuth(creds, expires=3600))


def s3cmd_signed(name, method, bucket, uri, params, headers):
    from S3.Config import Config
    from S3.Crypto import sign_request_v2
    from S3.SortedDict import SortedDict

    config = Config()
    config.access_key = ACCESS_KEY
    config.secret_key = SECRET_KEY
    cur = SortedDict(ignore_case=True)
    for key, value in headers.items():
        cur[key] = value
    signed = sign_request_v2(method, f"/{bucket}{uri}", params, cur)
    print(f"== {name} (s3cmd, bucket {bucket})")
    print(f"method: {method}")
    print(f"uri:    {uri}  params: {params}")
    for key, value in signed.items():
        print(f"header: {key.lower()}: {value}")
    print()


header_signed("path-style GET, encoded key", "GET",
              "http://127.0.0.1:4566/mybucket/dir/%C3%BC%20key%2Bplus.txt")
header_signed("virtual-hosted PUT with x-amz headers", "PUT",
              "http://mybucket.s3.amazonaws.com/photos/a.jpg",
              headers={"Content-Type": "image/jpeg",
                       "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==",
                       "x-amz-acl": "public-read",
                       "X-Amz-Meta-Reviewer": " joe ",
                       "x-amz-storage-class": "STANDARD_IA"},
              auth_path="/mybucket/photos/a.jpg")
header_signed("sub-resources and response overrides", "GET",
              "http://127.0.0.1:4566/mybucket/obj?versionId=v%2B1&prefix=x&acl"
              "&response-content-disposition=attachment%3B%20filename%3D%22a.txt%22")
header_signed("upload part", "PUT",
              "http://127.0.0.1:4566/mybucket/big?uploadId=up%2F1&partNumber=2")
header_signed("virtual-hosted bucket root", "GET",
              "http://mybucket.localhost:4566/?location", auth_path="/mybucket/")
header_signed("multi-object delete", "POST", "http://127.0.0.1:4566/mybucket?delete",
              headers={"Content-MD5": "Q2hlY2sgSW50ZWdyaXR5IQ==",
                       "Content-Type": "application/xml"})
header_signed("session token", "GET", "http://127.0.0.1:4566/", token="SESSIONTOKEN")
# boto3 with signature_version "s3" addresses a bucket as /mybucket and signs
# the resource /mybucket/ (its auth_path), for CreateBucket and every
# bucket-level call.
header_signed("path-style bucket, resource signed with its slash", "PUT",
              "http://127.0.0.1:4566/mybucket", auth_path="/mybucket/")
header_signed("path-style bucket sub-resource, resource signed with its slash", "GET",
              "http://127.0.0.1:4566/mybucket?tagging", auth_path="/mybucket/")

presigned("aws s3 presign (path-style)", "GET",
          "http://127.0.0.1:4566/mybucket/some%2520key/a%2Bb.txt")
presigned("presigned virtual-hosted, response override, token", "GET",
          "http://mybucket.s3.amazonaws.com/report.csv?response-content-type=text%2Fcsv",
          auth_path="/mybucket/report.csv", token="SESSIONTOKEN")
presigned("presigned PUT with content type", "PUT",
          "http://127.0.0.1:4566/mybucket/upload.bin",
          headers={"Content-Type": "application/octet-stream"})

s3cmd_signed("s3cmd PUT with x-amz-date", "PUT", "mybucket", "/dir/file.txt", {},
             {"x-amz-date": "Mon, 09 Sep 2024 10:00:00 +0000",
              "content-type": "text/plain",
              "x-amz-meta-s3cmd-attrs": "mode:33188/uid:0"})
s3cmd_signed("s3cmd GET ?acl with x-amz-date", "GET", "mybucket", "/", {"acl": None},
             {"x-amz-date": "Mon, 09 Sep 2024 10:00:00 +0000"})
# s3cmd signs the guide's sub-resources only: ?tagging is left out.
s3cmd_signed("s3cmd PUT ?tagging with x-amz-date", "PUT", "mybucket", "/obj", {"tagging": None},
             {"x-amz-date": "Mon, 09 Sep 2024 10:00:00 +0000"})
