-- Issue #20: models stored in S3 or an S3-compatible store. Their source is s3://bucket/prefix
-- (repo holds the same, revision is empty); endpoint is the S3-compatible store's URL (NULL: AWS).
ALTER TABLE models ADD COLUMN endpoint TEXT;
-- AES-GCM ciphertext (nonce || ciphertext) of the tenant's S3 access as JSON (region, access key
-- id, secret access key, session token), sealed with the model's id; never returned.
ALTER TABLE models ADD COLUMN s3_credentials_enc BYTEA;
