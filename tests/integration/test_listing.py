"""ListObjects (v1) and ListObjectsV2 through boto3: prefix, delimiter and CommonPrefixes,
MaxKeys pagination (Marker, NextMarker, ContinuationToken — an empty one lists from the
start —, StartAfter), FetchOwner, and
EncodingType=url requested explicitly (botocore then leaves the keys encoded)."""
import unittest
import urllib.parse

from harness import S3TestCase

KEYS = sorted(["a/1", "a/2", "a/b/3", "a/b/4", "b/1", "c", "d", "e/x/y"])
ODD_KEYS = sorted(["sp ace", "plus+sign", "pct%41", "uni-\u00e9\u65e5", "amp&lt;", "ctl\x01char"])


def keys_of(page):
    return [item["Key"] for item in page.get("Contents", [])]


def prefixes_of(page):
    return [item["Prefix"] for item in page.get("CommonPrefixes", [])]


class ListingTests(S3TestCase):

    def setUp(self):
        super().setUp()
        for key in KEYS:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())

    def test_v1_and_v2_list_everything_in_order_with_sizes(self):
        for lister in (self.s3.list_objects, self.s3.list_objects_v2):
            with self.subTest(lister=lister.__name__):
                page = lister(Bucket=self.bucket)
                self.assertEqual(keys_of(page), KEYS)
                self.assertFalse(page["IsTruncated"])
                self.assertEqual([item["Size"] for item in page["Contents"]], [len(k) for k in KEYS])
                self.assertTrue(all(item["ETag"].startswith('"') for item in page["Contents"]))
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket)["KeyCount"], len(KEYS))

    def test_prefix(self):
        for lister in (self.s3.list_objects, self.s3.list_objects_v2):
            with self.subTest(lister=lister.__name__):
                page = lister(Bucket=self.bucket, Prefix="a/b/")
                self.assertEqual(keys_of(page), ["a/b/3", "a/b/4"])
                self.assertEqual(page["Prefix"], "a/b/")

    def test_delimiter_groups_common_prefixes(self):
        for lister in (self.s3.list_objects, self.s3.list_objects_v2):
            with self.subTest(lister=lister.__name__):
                page = lister(Bucket=self.bucket, Delimiter="/")
                self.assertEqual(keys_of(page), ["c", "d"])
                self.assertEqual(prefixes_of(page), ["a/", "b/", "e/"])
                nested = lister(Bucket=self.bucket, Delimiter="/", Prefix="a/")
                self.assertEqual(keys_of(nested), ["a/1", "a/2"])
                self.assertEqual(prefixes_of(nested), ["a/b/"])
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket, Delimiter="/")["KeyCount"], 5)

    def test_v1_pagination_with_marker(self):
        seen, marker = [], ""
        for _ in range(len(KEYS)):
            page = self.s3.list_objects(Bucket=self.bucket, MaxKeys=3, Marker=marker)
            self.assertEqual(page["MaxKeys"], 3)
            seen += keys_of(page)
            self.assertLessEqual(len(keys_of(page)), 3)
            if not page["IsTruncated"]:
                break
            marker = keys_of(page)[-1]
        self.assertEqual(seen, KEYS)

    def test_v1_next_marker_with_delimiter(self):
        page = self.s3.list_objects(Bucket=self.bucket, Delimiter="/", MaxKeys=2)
        self.assertTrue(page["IsTruncated"])
        self.assertEqual(prefixes_of(page), ["a/", "b/"])
        self.assertEqual(page["NextMarker"], "b/")
        rest = self.s3.list_objects(Bucket=self.bucket, Delimiter="/", Marker=page["NextMarker"])
        self.assertEqual(keys_of(rest), ["c", "d"])
        self.assertEqual(prefixes_of(rest), ["e/"])

    def test_v2_pagination_with_continuation_token(self):
        seen, prefixes, token_args = [], [], {}
        for _ in range(len(KEYS)):
            page = self.s3.list_objects_v2(Bucket=self.bucket, MaxKeys=2, Delimiter="/", **token_args)
            self.assertLessEqual(page["KeyCount"], 2)
            seen += keys_of(page)
            prefixes += prefixes_of(page)
            if not page["IsTruncated"]:
                self.assertNotIn("NextContinuationToken", page)
                break
            token_args = {"ContinuationToken": page["NextContinuationToken"]}
        self.assertEqual(seen, ["c", "d"])
        self.assertEqual(prefixes, ["a/", "b/", "e/"])

    def test_v2_empty_continuation_token_lists_from_the_start(self):
        """An empty token is no token (AWS): the whole listing, the token echoed."""
        page = self.s3.list_objects_v2(Bucket=self.bucket, ContinuationToken="")
        self.assertEqual(keys_of(page), KEYS)
        self.assertEqual(page["ContinuationToken"], "")
        self.assertFalse(page["IsTruncated"])
        response = self.assertClientError(self.s3.list_objects_v2, "InvalidArgument", 400, Bucket=self.bucket,
                                          ContinuationToken="not a token!")
        self.assertEqual(response["Error"]["Message"], "The continuation token provided is incorrect")
        self.assertEqual(response["Error"].get("ArgumentName"), "continuation-token")

    def test_v2_start_after(self):
        page = self.s3.list_objects_v2(Bucket=self.bucket, StartAfter="a/b/3")
        self.assertEqual(keys_of(page), [k for k in KEYS if k > "a/b/3"])
        self.assertEqual(page["StartAfter"], "a/b/3")

    def test_v2_fetch_owner(self):
        without = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="c")
        self.assertNotIn("Owner", without["Contents"][0])
        with_owner = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="c", FetchOwner=True)
        self.assertIn("ID", with_owner["Contents"][0]["Owner"])
        self.assertIn("Owner", self.s3.list_objects(Bucket=self.bucket, Prefix="c")["Contents"][0])


class EncodedListingTests(S3TestCase):

    def setUp(self):
        super().setUp()
        for key in ODD_KEYS:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"x")

    def test_explicit_url_encoding_encodes_keys(self):
        for lister in (self.s3.list_objects, self.s3.list_objects_v2):
            with self.subTest(lister=lister.__name__):
                page = lister(Bucket=self.bucket, EncodingType="url")
                self.assertEqual(page["EncodingType"], "url")
                encoded = keys_of(page)
                for key in encoded:
                    self.assertTrue(key.isascii() and " " not in key and "\x01" not in key, key)
                self.assertEqual(sorted(urllib.parse.unquote_plus(k) for k in encoded), ODD_KEYS)

    def test_default_listing_decodes_to_exact_keys(self):
        self.assertEqual(keys_of(self.s3.list_objects_v2(Bucket=self.bucket)), ODD_KEYS)
        self.assertEqual(keys_of(self.s3.list_objects(Bucket=self.bucket)), ODD_KEYS)


if __name__ == "__main__":
    unittest.main()
