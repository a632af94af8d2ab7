-- Self-service billing settings (PATCH /api/v1/billing/settings): the tenant's own monthly spend
-- limit and its alert threshold. The administrator's limit stays in tenants.spend_limit_micros
-- and is a ceiling: the limit enforced is the lower of the two (LEAST ignores NULLs).

CREATE TABLE tenant_billing_settings (
    tenant_id           UUID PRIMARY KEY REFERENCES tenants (id),
    -- Integer micro-dollars per calendar month; NULL = no limit of the tenant's own.
    spend_limit_micros  BIGINT CHECK (spend_limit_micros IS NULL OR spend_limit_micros >= 0),
    -- Percent of the enforced limit at which usage reports the alert as reached; NULL = none.
    alert_threshold_pct INTEGER
                        CHECK (alert_threshold_pct IS NULL OR alert_threshold_pct BETWEEN 1 AND 100),
    updated_at          TIMESTAMPTZ NOT NULL
);
