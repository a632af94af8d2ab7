-- Self-service key rotation (POST /api/v1/keys/{id}/rotate): a rotated key keeps its id, name,
-- scopes, expiry and limits and gets a new secret; the previous secret may stay valid for a
-- grace period (zeroscale.auth.rotation-grace, or grace_s per request) so that clients can be
-- switched over without downtime. Only one previous secret is kept: rotating again ends the
-- grace of the one before at once. Hashes only, like secret_sha256.
-- (Version 6.1: the billing module owns V4 and V5; 6.1 leaves 6 free for a parallel change.)

ALTER TABLE api_keys
    ADD COLUMN previous_secret_sha256 CHAR(64) UNIQUE,
    ADD COLUMN previous_secret_valid_until TIMESTAMPTZ,
    ADD CONSTRAINT api_keys_previous_secret_has_grace
        CHECK ((previous_secret_sha256 IS NULL) = (previous_secret_valid_until IS NULL));
