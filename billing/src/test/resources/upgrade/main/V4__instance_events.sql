-- Instance lifecycle events written by the activator (at least once; the id makes them
-- idempotent). Billing computes GPU time from 'scheduled' to 'stopped' per instance.

CREATE TABLE instance_events (
    event_id      UUID PRIMARY KEY,
    instance_id   TEXT NOT NULL,
    deployment_id UUID NOT NULL REFERENCES deployments (id),
    tenant_id     UUID NOT NULL REFERENCES tenants (id),
    type          TEXT NOT NULL
                  CHECK (type IN ('requested', 'scheduled', 'ready', 'draining', 'stopped', 'failed')),
    occurred_at   TIMESTAMPTZ NOT NULL,
    gpu           TEXT NOT NULL,
    num_gpus      INTEGER NOT NULL CHECK (num_gpus >= 1),
    runtime       TEXT NOT NULL,
    detail        TEXT,
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX instance_events_instance ON instance_events (instance_id, occurred_at);
CREATE INDEX instance_events_deployment ON instance_events (deployment_id, occurred_at);
