-- Rollouts (issue #19): a deployment's model, hardware and engine options belong to a revision.
-- The deployments row keeps what the activator must converge to (with its revision number);
-- deployment_revisions is the history the tenant API lists and rollbacks read.

ALTER TABLE deployments
    -- The revision the instances must run; 1 for every deployment that never rolled out.
    ADD COLUMN revision       INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1),
    -- The revision's engine options, as EngineOptions.toMap() writes them ({} for none).
    ADD COLUMN engine         JSONB NOT NULL DEFAULT '{}'::jsonb,
    -- settings.max_surge: instances a rollout may boot above the target.
    ADD COLUMN max_surge      INTEGER NOT NULL DEFAULT 1 CHECK (max_surge BETWEEN 0 AND 8),
    -- max_surge lowered to the tenant's GPU quota when it was last checked (published as surge).
    ADD COLUMN surge          INTEGER NOT NULL DEFAULT 1 CHECK (surge >= 0),
    -- Why the deployment serves an older revision than the last one asked for (automatic
    -- rollback); kept until the next revision, unlike the activator's reason.
    ADD COLUMN rollout_reason TEXT,
    ADD CONSTRAINT deployments_surge_within_max CHECK (surge <= max_surge);

-- The quota room of the deployments that exist: (quota - others' max_instances x num_gpus)
-- / num_gpus - max_instances, at least 0, at most max_surge. Worked numbers: quota 4, another
-- deployment of 1 x 1 GPU, this one 2 x 1 GPU: (4 - 1) / 1 - 2 = 1, surge 1.
UPDATE deployments d
SET surge = LEAST(d.max_surge, GREATEST(0,
        ((SELECT t.gpu_quota FROM tenants t WHERE t.id = d.tenant_id)
         - (SELECT COALESCE(SUM(o.max_instances * o.num_gpus), 0) FROM deployments o
            WHERE o.tenant_id = d.tenant_id AND o.deleted_at IS NULL AND o.id <> d.id))
        / d.num_gpus - d.max_instances))
WHERE d.deleted_at IS NULL;

CREATE TABLE deployment_revisions (
    deployment_id  UUID NOT NULL REFERENCES deployments (id),
    revision       INTEGER NOT NULL CHECK (revision >= 1),
    model_id       UUID NOT NULL REFERENCES models (id),
    -- The library model's source when the revision was made (hf://org/repo@revision).
    source         TEXT NOT NULL,
    gpu            TEXT NOT NULL,
    num_gpus       INTEGER NOT NULL CHECK (num_gpus IN (1, 2, 4, 8)),
    max_batch_size INTEGER NOT NULL CHECK (max_batch_size >= 1),
    engine         JSONB NOT NULL DEFAULT '{}'::jsonb,
    -- The API fields this revision changed from the one before (empty for revision 1).
    changed        TEXT[] NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL
                   CHECK (status IN ('rolling_out', 'active', 'superseded', 'failed')),
    reason         TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (deployment_id, revision)
);

-- Every deployment that exists has run its one revision: active, or failed with the deployment.
INSERT INTO deployment_revisions (deployment_id, revision, model_id, source, gpu, num_gpus,
                                  max_batch_size, status, reason, created_at)
SELECT d.id, 1, d.model_id, m.source, d.gpu, d.num_gpus, d.max_batch_size,
       CASE WHEN d.status = 'failed' THEN 'failed' ELSE 'active' END,
       CASE WHEN d.status = 'failed' THEN d.reason END,
       d.created_at
FROM deployments d JOIN models m ON m.id = d.model_id;
