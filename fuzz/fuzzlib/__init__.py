"""The seeded fuzzer run by fuzz/kycaid_fuzz.py: provider-independent machinery here, each provider's
target under fuzzlib/targets/."""
