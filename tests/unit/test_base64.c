/* core/base64.c: the RFC 4648 vectors, and every spelling other than the
 * one canonical one refused. */

#include <string.h>

#include "core/base64.h"
#include "tests/unit/harness.h"

static void decodes(const char *b64, const char *want)
{
    uint8_t out[64];
    size_t n = 99;
    l2w_status st = l2w_base64_decode(out, sizeof out, &n, b64, strlen(b64));
    CHECK_MSG(st == L2W_OK && n == strlen(want) && memcmp(out, want, n) == 0, "\"%s\" (status %d, %zu bytes)", b64,
              (int)st, n);
}

static void refused(const char *b64)
{
    uint8_t out[64];
    size_t n = 0;
    CHECK_MSG(l2w_base64_decode(out, sizeof out, &n, b64, strlen(b64)) == L2W_ERR_INVALID, "accepted \"%s\"", b64);
}

static void test_rfc4648_vectors(void)
{
    decodes("", "");
    decodes("Zg==", "f");
    decodes("Zm8=", "fo");
    decodes("Zm9v", "foo");
    decodes("Zm9vYg==", "foob");
    decodes("Zm9vYmE=", "fooba");
    decodes("Zm9vYmFy", "foobar");
    decodes("YWxpY2U6czNjcjN0OndpdGg6Y29sb25z", "alice:s3cr3t:with:colons");
    decodes("+/+/", "\xfb\xff\xbf");
}

static void test_other_spellings_refused(void)
{
    refused("Zg");        /* padding missing */
    refused("Zg=");
    refused("Zh==");      /* non-zero bits in the padding */
    refused("Zm9=");
    refused("Z===");
    refused("====");
    refused("Zg==Zg==");  /* padding inside */
    refused("Zm9v\n");
    refused(" Zm9v");
    refused("Zm-v");      /* the URL-safe alphabet */
    refused("Zm_v");
    refused("Zm9\x80");
}

static void test_capacity(void)
{
    uint8_t out[5];
    size_t n = 0;
    CHECK(l2w_base64_decode(out, sizeof out, &n, "Zm9vYmFy", 8) == L2W_ERR_RANGE);
    CHECK(l2w_base64_decode(out, sizeof out, &n, "Zm9vYmE=", 8) == L2W_OK && n == 5);
}

int main(void)
{
    RUN(test_rfc4648_vectors);
    RUN(test_other_spellings_refused);
    RUN(test_capacity);
    return l2w_test_finish();
}
