-- Tenants and their API keys: the system of record for who may call what.
-- Keys are stored only as the SHA-256 of their secret (see ApiKeys).

CREATE TABLE tenants (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL
                    CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    gpu_quota       INTEGER NOT NULL DEFAULT 4 CHECK (gpu_quota >= 0),
    -- Spend limit per calendar month, integer micro-dollars; NULL = no limit.
    spend_limit_micros BIGINT CHECK (spend_limit_micros IS NULL OR spend_limit_micros >= 0),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    -- Tenants are soft-deleted: invoices and usage keep pointing at them.
    deleted_at      TIMESTAMPTZ
);

-- A name is unique among live tenants; a deleted tenant's name can be reused.
CREATE UNIQUE INDEX tenants_live_name ON tenants (name) WHERE deleted_at IS NULL;

CREATE TABLE api_keys (
    id              UUID PRIMARY KEY,
    -- NULL tenant = a platform key (admin/finance) that belongs to no tenant.
    tenant_id       UUID REFERENCES tenants (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    secret_sha256   CHAR(64) NOT NULL UNIQUE,
    display_prefix  TEXT NOT NULL,
    scopes          TEXT[] NOT NULL,
    expires_at      TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);

CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
