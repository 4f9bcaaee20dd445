#!/usr/bin/env python3
"""Seeded random fuzzer for kyc-sandbox's providers that publish no OpenAPI document (KYCAID, ZealID Hermes).

Schemathesis covers Rebilly and Sumvin from their specs; KYCAID has no machine-readable spec, so this
drives it with a `random.Random(seed)` stream of valid and broken requests and checks:

- no 5xx, ever;
- no request hangs: every request has a client timeout (default 5 s) and a timeout is a failure;
- the connection is never dropped without an HTTP response;
- every error (4xx) body is the provider's envelope, served as JSON (KYCAID:
  `{"type": ..., "errors": [{"parameter", "message"}]}`);
- every 2xx create can be read back (files byte for byte), and a 2xx delete really deletes;
- the server is still alive at the end.

Same seed, same server seed, same requests: a finding reproduces with `--seed` and the printed curl.

    python fuzz/kycaid_fuzz.py --base-url http://127.0.0.1:4747 --seed 7 --requests 1500

A second mode summarises a schemathesis run (used by scripts/fuzz.sh):

    python fuzz/kycaid_fuzz.py st-summary --name rebilly --ndjson FILE --json FILE

The code is in fuzzlib/ (fuzz/README.md, "Layout").
"""

import sys

from fuzzlib import cli, st_summary

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "st-summary":
        sys.exit(st_summary.main(sys.argv[2:]))
    sys.exit(cli.main(sys.argv[1:]))
