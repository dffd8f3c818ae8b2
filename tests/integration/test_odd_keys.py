"""Keys that trip up path handling and URL encoding (unicode, spaces, '%', '+', '..',
'../../etc/passwd', '//', '?', '#') round trip byte-for-byte through boto3, appear
verbatim in both listing APIs, and can be copied and deleted by name."""
import unittest

from harness import S3TestCase

ODD_KEYS = [
    "unicode-\u043a\u043b\u044e\u0447-\u65e5\u672c-\U0001F600.txt",
    "with space.txt",
    "  leading and trailing  ",
    "percent%20literal%",
    "plus+sign+",
    "..",
    "dots/../up",
    "../../etc/passwd",
    "double//slash",
    "/leading-slash",
    "question?mark#hash",
    "semi;colon,comma=eq&amp@at:colon",
    "tilde~star*paren()quote'dq\"",
    "back\\slash",
]


class OddKeyTests(S3TestCase):

    def setUp(self):
        super().setUp()
        for key in ODD_KEYS:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=("body of " + key).encode())

    def test_each_key_reads_back_its_own_body(self):
        for key in ODD_KEYS:
            with self.subTest(key=key):
                got = self.s3.get_object(Bucket=self.bucket, Key=key)
                self.assertEqual(got["Body"].read(), ("body of " + key).encode())

    def test_listings_show_keys_verbatim(self):
        expected = sorted(ODD_KEYS, key=lambda k: k.encode())
        v2 = [item["Key"] for item in self.s3.list_objects_v2(Bucket=self.bucket)["Contents"]]
        v1 = [item["Key"] for item in self.s3.list_objects(Bucket=self.bucket)["Contents"]]
        self.assertEqual(v2, expected)
        self.assertEqual(v1, expected)

    def test_traversal_key_does_not_alias_other_keys(self):
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="etc/passwd")
        self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="up")
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="dots/../up")["ContentLength"],
                         len("body of dots/../up"))

    def test_copy_and_delete_odd_keys(self):
        for key in ODD_KEYS:
            with self.subTest(key=key):
                self.s3.copy_object(Bucket=self.bucket, Key=key + ".copy",
                                    CopySource={"Bucket": self.bucket, "Key": key})
                self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key=key + ".copy")["Body"].read(),
                                 ("body of " + key).encode())
                self.s3.delete_object(Bucket=self.bucket, Key=key + ".copy")
                self.s3.delete_object(Bucket=self.bucket, Key=key)
                self.assertClientError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key=key)
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"], 0)


if __name__ == "__main__":
    unittest.main()
