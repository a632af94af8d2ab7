-- Billing (SPEC §5): a ledger of billable instances projected from instance_events, the
-- activator's heartbeats (an instance whose activator died is closed at its last one), the
-- finalized invoices (immutable documents), and the spend-limit reservations taken before a boot.

-- Written by the leading activator every ~15 s for every instance that holds GPUs.
CREATE TABLE instance_heartbeats (
    instance_id   TEXT PRIMARY KEY,
    deployment_id UUID NOT NULL,
    tenant_id     UUID NOT NULL,
    gpu           TEXT NOT NULL,
    num_gpus      INTEGER NOT NULL CHECK (num_gpus >= 1),
    last_seen_at  TIMESTAMPTZ NOT NULL
);

-- One row per instance that held GPUs: billable from started_at (its 'scheduled' event) to
-- ended_at ('stopped', or the last heartbeat when its activator died). The price is captured
-- the first time the ledger sees the instance and never changes afterwards.
CREATE TABLE billing_instances (
    instance_id        TEXT PRIMARY KEY,
    tenant_id          UUID NOT NULL REFERENCES tenants (id),
    deployment_id      UUID NOT NULL REFERENCES deployments (id),
    gpu                TEXT NOT NULL,
    num_gpus           INTEGER NOT NULL CHECK (num_gpus >= 1),
    micros_per_gpu_hour BIGINT NOT NULL CHECK (micros_per_gpu_hour >= 0),
    started_at         TIMESTAMPTZ NOT NULL,
    ended_at           TIMESTAMPTZ,
    -- 'stopped': a stopped event (final); 'heartbeat': closed by the sweeper, a later stopped
    -- event still wins.
    end_source         TEXT CHECK (end_source IN ('stopped', 'heartbeat')),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    CHECK ((ended_at IS NULL) = (end_source IS NULL))
);

CREATE INDEX billing_instances_tenant ON billing_instances (tenant_id, started_at);
CREATE INDEX billing_instances_open ON billing_instances (instance_id) WHERE ended_at IS NULL;

-- A closed period: its invoices are final and never change.
CREATE TABLE billing_periods (
    period       CHAR(7) PRIMARY KEY CHECK (period ~ '^[0-9]{4}-[0-9]{2}$'),
    finalized_at TIMESTAMPTZ NOT NULL
);

-- Final invoices, stored as the exact documents served (byte-identical on every fetch).
CREATE TABLE invoices (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    tenant_name   TEXT NOT NULL,
    period        CHAR(7) NOT NULL REFERENCES billing_periods (period),
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    number        TEXT NOT NULL UNIQUE,
    total_micros  BIGINT NOT NULL,
    json_document TEXT NOT NULL,
    csv_document  TEXT NOT NULL,
    finalized_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, period),
    UNIQUE (period, tenant_name, seq)
);

-- What each final invoice charged per instance and usage period (its own period, or an
-- earlier one for an adjustment): the next invoice adjusts by the difference to the ledger.
CREATE TABLE invoiced_usage (
    invoice_id         UUID NOT NULL REFERENCES invoices (id),
    instance_id        TEXT NOT NULL,
    usage_period       CHAR(7) NOT NULL,
    deployment_id      UUID NOT NULL,
    gpu                TEXT NOT NULL,
    micros_per_gpu_hour BIGINT NOT NULL,
    runtime_gpu_seconds BIGINT NOT NULL,
    billed_gpu_seconds BIGINT NOT NULL,
    top_up_gpu_seconds BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, instance_id, usage_period)
);

CREATE INDEX invoiced_usage_instance ON invoiced_usage (instance_id, usage_period);

-- The first-hour minimum of an instance about to boot, held against its tenant's spend limit
-- until the ledger charges the instance (or it ends without ever holding GPUs).
CREATE TABLE budget_reservations (
    instance_id   TEXT PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    period        CHAR(7) NOT NULL,
    micros        BIGINT NOT NULL CHECK (micros >= 0),
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX budget_reservations_tenant ON budget_reservations (tenant_id, period);
