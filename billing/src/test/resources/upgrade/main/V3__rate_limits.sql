-- Per-key rate limits (SPEC §2: 429 with Retry-After). NULL = inherit: a key's own value, else
-- its tenant's, else the configured default (zeroscale.rate-limits.*), else no limit.
-- 1..1,000,000: zero would block every request (revoke the key instead), and a million
-- requests a minute (~16.7k/s) per key is beyond what one key's traffic needs; past it is a typo.

ALTER TABLE tenants
    ADD COLUMN requests_per_minute INTEGER
        CHECK (requests_per_minute IS NULL OR requests_per_minute BETWEEN 1 AND 1000000),
    ADD COLUMN max_concurrent_requests INTEGER
        CHECK (max_concurrent_requests IS NULL OR max_concurrent_requests BETWEEN 1 AND 1000000);

ALTER TABLE api_keys
    ADD COLUMN requests_per_minute INTEGER
        CHECK (requests_per_minute IS NULL OR requests_per_minute BETWEEN 1 AND 1000000),
    ADD COLUMN max_concurrent_requests INTEGER
        CHECK (max_concurrent_requests IS NULL OR max_concurrent_requests BETWEEN 1 AND 1000000);
