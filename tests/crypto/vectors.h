/*
 * tests/crypto/vectors.h -- fixed keys and certificates for the crypto
 * tests, generated once with the openssl CLI for this test suite (so the
 * tests that run without openssl, e.g. under Wine, still cover keys that
 * secip did not make).
 */
#ifndef SECIP_TEST_CRYPTO_VECTORS_H
#define SECIP_TEST_CRYPTO_VECTORS_H

/* openssl genrsa 1024 (PKCS#8): too weak, must be refused. */
static const char weak_key_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdQIBADANBgkqhkiG9w0BAQEFAASCAl8wggJbAgEAAoGBAM+h32xGF7Y8AVsv\n"
    "Y1qbmez31k1n3k7d/vjhA+s8w6a9V/aL/ZAt6vHeS+3Gnp0CtXGcoSkN7oiDuWPm\n"
    "sEiCJdTHYKj4ZcbskuIySBc0qm9luVMyn39OnFK1RKVZTVgaIokVge8qS9fIDCmG\n"
    "IENDnqEMb90cAzz0XjtknziN1TSZAgMBAAECgYAqABua4l7fjSnVETPu2zT623Nt\n"
    "OwqcN4nhPFs3lZYaP4jwpYbISJGTFZ2UXq4tIqQjdEShcmEDGmpBDCQytqkCEXZh\n"
    "Je2lNibJH61C9Xql/1CRhFJhxs68dFO05B01IAbzMqux2bY2VM21zMEXX2V/Xhjs\n"
    "wN4W87oQQRyOyOVDRQJBAO1Z1ms5qkRNQLgC2UzvrN/U59DIBuFOvm/j/4jsonMx\n"
    "u9FYuLQFKdev0qf+ZPh7OKVeln83lGvO4/K9aZGUDpsCQQDf8kOlvUREZdrSLxmC\n"
    "gt2sozr0FRuY9E0rF78EiJ6v9Qu5UfeeHNA2/3aWAm2lSFCZu5QXJnXFAGyu3lC5\n"
    "ZoLbAkA4F4MU1AvpGFizI/k2tW2leCtQq/T0Sie3SaqaMVIy5w3763u7D31T+7lM\n"
    "+lHiZzx72F64senhkINOWnUYcmUBAkAzBivLk3f+bYaR5RFW3yJKt1YzTqvfCaqb\n"
    "aummysn9JUPqkXZtm/sEzOfj/eGlivhyTn7LV4P1wscAgL67v1OJAkBVrulkHy5h\n"
    "vSf/LgudHgqc1+PPo4BDQE2Yxglgd9JdLQDgAFvTFAStemvV8Qm62VAoblkgN/gI\n"
    "IvDde4V3/mv6\n"
    "-----END PRIVATE KEY-----\n";

/* openssl req -x509 with that 1024-bit key, CN=weak.example, 100 years. */
static const char weak_cert_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICDDCCAXWgAwIBAgIUGFIlpG8Kchai94w6OCC/lzk2iCcwDQYJKoZIhvcNAQEL\n"
    "BQAwFzEVMBMGA1UEAwwMd2Vhay5leGFtcGxlMCAXDTI2MTEyNTIyMTAyOVoYDzIx\n"
    "MjYxMTAxMjIxMDI5WjAXMRUwEwYDVQQDDAx3ZWFrLmV4YW1wbGUwgZ8wDQYJKoZI\n"
    "hvcNAQEBBQADgY0AMIGJAoGBAM+h32xGF7Y8AVsvY1qbmez31k1n3k7d/vjhA+s8\n"
    "w6a9V/aL/ZAt6vHeS+3Gnp0CtXGcoSkN7oiDuWPmsEiCJdTHYKj4ZcbskuIySBc0\n"
    "qm9luVMyn39OnFK1RKVZTVgaIokVge8qS9fIDCmGIENDnqEMb90cAzz0XjtknziN\n"
    "1TSZAgMBAAGjUzBRMB0GA1UdDgQWBBRwCxpxIy3adpEcdeMASd6FC1IRpjAfBgNV\n"
    "HSMEGDAWgBRwCxpxIy3adpEcdeMASd6FC1IRpjAPBgNVHRMBAf8EBTADAQH/MA0G\n"
    "CSqGSIb3DQEBCwUAA4GBABObh5K38tB7xuwL6hWKspKV6BV8ZHTFvY4exL8lfJsK\n"
    "rTI8j0c6vcu3n8bnY+N4QA1s3hJUwHD3vrVRj+JJ/qAlh+KlbbBcxRZo8useM+cw\n"
    "TTsIiAMRU+lxlc/TCR7dAn4/vQn9aA/vVv6ZbG1EvZaNd2eU+g4Z184ZE4rpBqDy\n"
    "-----END CERTIFICATE-----\n";

/* openssl genrsa -traditional 2048 (PKCS#1). */
static const char pkcs1_key_pem[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAsHKwhVqNRENz/wTtcYwNHJNtwy+5SftetJtuYVxnhMprH2OW\n"
    "qBG/zWsg3lfp9wFpBuBLaEidejFfmXSR3BlhasGXhiVAf/8LVlCfveHocr37FNDl\n"
    "UcI+t8M4899w1GyOnCHWl3iB+lbEnuHwILlv+mtBzMKP4OE7cSU+JeA+M9WiJ5r2\n"
    "aR9N7mEdqEInbFzGIWnRG0yVHbDcXehBcFU40h+Lp0zVG89OxFVjZ7S2POeh594X\n"
    "Xq1lrNPmhmvjh59bUHx3ZtkVKfkH8/3SelzfS3RyqlA1JJIaOT2kCvo++E2zcsPd\n"
    "lGpYtbYWv0slfvBiOLFGRN1arsXIeTGBkNwnPQIDAQABAoIBAAEYKaB3WFUnE5Da\n"
    "pWmGNN7X1GaCsVLgoGy6nYdSQUPiBjZpr2Nu+YSrFzhjDQMJ0mmTcq2ECj7GLakF\n"
    "DmYA8ZqGYubXJ4BHbPkEmURtIoYfgvRVFAxE8WfpGx/X8mGl/FXp/x9euy9+8O38\n"
    "p33f2mmBV3P2nEXhZA3vMiSAumtEwkksWk/THT06ezZMUNGDmgvIHzD5X10j8tdS\n"
    "KaJV4LiPhoYQqNeQZqWkePy6acV+bIKMf/V+WGz2arsQwMnbgHNZ2PvFfsH3//9M\n"
    "yih9q/KX/K4Thv6JZhhTVMvOpju8A09OzheXozyiKeshYXxWHQk4PuvlkDFSj8lA\n"
    "xxZDLVECgYEA2AzjZQQWUPWcOmCykuz33XtbuBVQzSuQLh8VnqhFR+RL/+8IOyBG\n"
    "ytivyhn/xP5WlPMBmsxoJI9i8gmkz2wcgbie+gkYA1teRghk0QG4u4L4ho9OIb9e\n"
    "WA9QoCUJ5PIrKLW/fBFZW5D41tn2Hob0HJCMj6pu4TRBBEpRnSYWvU0CgYEA0RMo\n"
    "MJKoOc9RaxEdS6tr0qrFC9iiZDlXD4ZEFogty/SDnhiuUgVPxfxC2FaffkGUmMzv\n"
    "i46zIctpnWetdThiO80KXrvo+Hfn5IDfVtNg4AWdjZJuB3xanSShkakTp75mrWrX\n"
    "Vz7a7xfRgOsv8QToENW1/47HH2F1D+AV7OTh2bECgYBPVGwqq1WGZKj4xojLajeZ\n"
    "G7KR5UHGFDjcto05tI+71hgR4bMkArX7xZTGoMVJkBo6lv//1w5mXj/2n5Pklc3h\n"
    "0+iL5srqcKItFOfv1rH+KBkZT4Vg3uPFcdoo83CuoD04tYOaCsTE2naEbYPxsZvw\n"
    "4SK7ndkY2BcHfEJ7cYDoAQKBgGgiRIg847E3g3PyaEcCMIgTKmXGFswYizZeR5d5\n"
    "aGYHeW7LGDgeESeph5m9O19lRp/8ous9vhb8+7O8qfaSiMsESz/4FAd9oXB8h8D1\n"
    "M3EhGuIips7vrypJzneAYRvRh86kQnFgCye/E0hE2/IN4ZBRAX8yHBeTMP0hPYpq\n"
    "TdthAoGBAJaEpX1qqjKasl2oPdEZcK/hGyntgmtQULX36oeBKyfCf3MHDS2ibyG9\n"
    "m3RgYL0DR0aLJ7AAvzRAyr+oYDtSHaCKFKaZTX4K25RKnuO/Vlba7pvdMMjorTeR\n"
    "EXH+VT58b4CUtXrEdfswDbxwK+2FvDm5FEiDx/1ZY9RwJweC7KOf\n"
    "-----END RSA PRIVATE KEY-----\n";

#endif
