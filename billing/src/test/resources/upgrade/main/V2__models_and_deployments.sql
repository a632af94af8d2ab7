-- A tenant's model library and its deployments (SPEC §3).

CREATE TABLE models (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    -- Canonical source, hf://org/repo@revision.
    source          TEXT NOT NULL,
    repo            TEXT NOT NULL,
    revision        TEXT NOT NULL,
    family          TEXT NOT NULL
                    CHECK (family IN ('llm', 'embedding', 'rerank', 'image', 'audio')),
    status          TEXT NOT NULL
                    CHECK (status IN ('importing', 'ready', 'failed', 'unverified')),
    error           TEXT,
    architecture    TEXT,
    model_type      TEXT,
    sha             TEXT,
    weight_bytes    BIGINT CHECK (weight_bytes IS NULL OR weight_bytes >= 0),
    parameter_count BIGINT,
    -- AES-GCM ciphertext of the tenant's Hugging Face token (nonce || ciphertext), never returned.
    hf_token_enc    BYTEA,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    -- Models are soft-deleted: deployments kept for billing history still reference them.
    deleted_at      TIMESTAMPTZ
);

-- A name is unique among the tenant's live models; a deleted model's name can be reused.
CREATE UNIQUE INDEX models_live_name ON models (tenant_id, name) WHERE deleted_at IS NULL;

CREATE TABLE deployments (
    id                      UUID PRIMARY KEY,
    tenant_id               UUID NOT NULL REFERENCES tenants (id),
    model_id                UUID NOT NULL REFERENCES models (id),
    model_name              TEXT NOT NULL,
    family                  TEXT NOT NULL
                            CHECK (family IN ('llm', 'embedding', 'rerank', 'image', 'audio')),
    gpu                     TEXT NOT NULL,
    num_gpus                INTEGER NOT NULL CHECK (num_gpus IN (1, 2, 4, 8)),
    max_batch_size          INTEGER NOT NULL CHECK (max_batch_size >= 1),
    min_instances           INTEGER NOT NULL CHECK (min_instances >= 0),
    max_instances           INTEGER NOT NULL CHECK (max_instances >= 1),
    scale_to_zero_after_s   INTEGER NOT NULL,
    activation_timeout_s    INTEGER NOT NULL,
    max_queued_requests     INTEGER NOT NULL,
    target_utilization      NUMERIC(4, 3) NOT NULL,
    stable_window_s         INTEGER NOT NULL,
    billing_aware_scale_down BOOLEAN NOT NULL,
    status                  TEXT NOT NULL
                            CHECK (status IN ('pending', 'deploying', 'running', 'scaled_to_zero',
                                              'failed', 'deleting', 'deleted')),
    reason                  TEXT,
    warning                 TEXT,
    -- Bumped on every change; subscribers ignore a publication older than what they hold.
    version                 BIGINT NOT NULL DEFAULT 1,
    created_at              TIMESTAMPTZ NOT NULL,
    updated_at              TIMESTAMPTZ NOT NULL,
    deleted_at              TIMESTAMPTZ,
    CHECK (min_instances <= max_instances)
);

-- model_name is unique among a tenant's live deployments; deleted rows stay for billing history.
CREATE UNIQUE INDEX deployments_live_name ON deployments (tenant_id, model_name)
    WHERE deleted_at IS NULL;
CREATE INDEX deployments_model ON deployments (model_id) WHERE deleted_at IS NULL;
