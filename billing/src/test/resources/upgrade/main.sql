-- A database as today's main (93a106b) left it, for MigrationUpgradeIT: an empty PostgreSQL
-- migrated by Flyway with V1-V5 exactly as they were in gateway/src/main/resources/db/migration
-- at 93a106b (git show 93a106b:gateway/src/main/resources/db/migration/V5__billing.sql), then
-- dumped with
--   pg_dump --schema-only --no-owner --no-privileges upgrade
--   pg_dump --data-only --inserts --no-owner --table=flyway_schema_history upgrade
-- (the two dumps follow, unedited). The flyway_schema_history rows carry the checksums Flyway
-- computed for those files, so editing an applied migration fails validation against this
-- database. Do not regenerate it from today's migrations: it stands for databases that exist.
-- The test runs the SQL over JDBC and skips psql's meta-commands (\restrict, \unrestrict).

--
-- PostgreSQL database dump
--

\restrict D1sv06wXYUderk0JOW0Tbauar0VjvGj0wfFuIoCiEFK5AWVjZBSxjwxFCmDSsMF

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id uuid NOT NULL,
    tenant_id uuid,
    name text NOT NULL,
    secret_sha256 character(64) NOT NULL,
    display_prefix text NOT NULL,
    scopes text[] NOT NULL,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    requests_per_minute integer,
    max_concurrent_requests integer,
    CONSTRAINT api_keys_max_concurrent_requests_check CHECK (((max_concurrent_requests IS NULL) OR ((max_concurrent_requests >= 1) AND (max_concurrent_requests <= 1000000)))),
    CONSTRAINT api_keys_requests_per_minute_check CHECK (((requests_per_minute IS NULL) OR ((requests_per_minute >= 1) AND (requests_per_minute <= 1000000))))
);


--
-- Name: billing_instances; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.billing_instances (
    instance_id text NOT NULL,
    tenant_id uuid NOT NULL,
    deployment_id uuid NOT NULL,
    gpu text NOT NULL,
    num_gpus integer NOT NULL,
    micros_per_gpu_hour bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    ended_at timestamp with time zone,
    end_source text,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    CONSTRAINT billing_instances_check CHECK (((ended_at IS NULL) = (end_source IS NULL))),
    CONSTRAINT billing_instances_end_source_check CHECK ((end_source = ANY (ARRAY['stopped'::text, 'heartbeat'::text]))),
    CONSTRAINT billing_instances_micros_per_gpu_hour_check CHECK ((micros_per_gpu_hour >= 0)),
    CONSTRAINT billing_instances_num_gpus_check CHECK ((num_gpus >= 1))
);


--
-- Name: billing_periods; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.billing_periods (
    period character(7) NOT NULL,
    finalized_at timestamp with time zone NOT NULL,
    CONSTRAINT billing_periods_period_check CHECK ((period ~ '^[0-9]{4}-[0-9]{2}$'::text))
);


--
-- Name: budget_reservations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.budget_reservations (
    instance_id text NOT NULL,
    tenant_id uuid NOT NULL,
    period character(7) NOT NULL,
    micros bigint NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT budget_reservations_micros_check CHECK ((micros >= 0))
);


--
-- Name: deployments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.deployments (
    id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    model_id uuid NOT NULL,
    model_name text NOT NULL,
    family text NOT NULL,
    gpu text NOT NULL,
    num_gpus integer NOT NULL,
    max_batch_size integer NOT NULL,
    min_instances integer NOT NULL,
    max_instances integer NOT NULL,
    scale_to_zero_after_s integer NOT NULL,
    activation_timeout_s integer NOT NULL,
    max_queued_requests integer NOT NULL,
    target_utilization numeric(4,3) NOT NULL,
    stable_window_s integer NOT NULL,
    billing_aware_scale_down boolean NOT NULL,
    status text NOT NULL,
    reason text,
    warning text,
    version bigint DEFAULT 1 NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT deployments_check CHECK ((min_instances <= max_instances)),
    CONSTRAINT deployments_family_check CHECK ((family = ANY (ARRAY['llm'::text, 'embedding'::text, 'rerank'::text, 'image'::text, 'audio'::text]))),
    CONSTRAINT deployments_max_batch_size_check CHECK ((max_batch_size >= 1)),
    CONSTRAINT deployments_max_instances_check CHECK ((max_instances >= 1)),
    CONSTRAINT deployments_min_instances_check CHECK ((min_instances >= 0)),
    CONSTRAINT deployments_num_gpus_check CHECK ((num_gpus = ANY (ARRAY[1, 2, 4, 8]))),
    CONSTRAINT deployments_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'deploying'::text, 'running'::text, 'scaled_to_zero'::text, 'failed'::text, 'deleting'::text, 'deleted'::text])))
);


--
-- Name: flyway_schema_history; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.flyway_schema_history (
    installed_rank integer NOT NULL,
    version character varying(50),
    description character varying(200) NOT NULL,
    type character varying(20) NOT NULL,
    script character varying(1000) NOT NULL,
    checksum integer,
    installed_by character varying(100) NOT NULL,
    installed_on timestamp without time zone DEFAULT now() NOT NULL,
    execution_time integer NOT NULL,
    success boolean NOT NULL
);


--
-- Name: instance_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.instance_events (
    event_id uuid NOT NULL,
    instance_id text NOT NULL,
    deployment_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    type text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    gpu text NOT NULL,
    num_gpus integer NOT NULL,
    runtime text NOT NULL,
    detail text,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT instance_events_num_gpus_check CHECK ((num_gpus >= 1)),
    CONSTRAINT instance_events_type_check CHECK ((type = ANY (ARRAY['requested'::text, 'scheduled'::text, 'ready'::text, 'draining'::text, 'stopped'::text, 'failed'::text])))
);


--
-- Name: instance_heartbeats; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.instance_heartbeats (
    instance_id text NOT NULL,
    deployment_id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    gpu text NOT NULL,
    num_gpus integer NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    CONSTRAINT instance_heartbeats_num_gpus_check CHECK ((num_gpus >= 1))
);


--
-- Name: invoiced_usage; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoiced_usage (
    invoice_id uuid NOT NULL,
    instance_id text NOT NULL,
    usage_period character(7) NOT NULL,
    deployment_id uuid NOT NULL,
    gpu text NOT NULL,
    micros_per_gpu_hour bigint NOT NULL,
    runtime_gpu_seconds bigint NOT NULL,
    billed_gpu_seconds bigint NOT NULL,
    top_up_gpu_seconds bigint NOT NULL
);


--
-- Name: invoices; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invoices (
    id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    tenant_name text NOT NULL,
    period character(7) NOT NULL,
    seq integer NOT NULL,
    number text NOT NULL,
    total_micros bigint NOT NULL,
    json_document text NOT NULL,
    csv_document text NOT NULL,
    finalized_at timestamp with time zone NOT NULL,
    CONSTRAINT invoices_seq_check CHECK ((seq >= 1))
);


--
-- Name: models; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.models (
    id uuid NOT NULL,
    tenant_id uuid NOT NULL,
    name text NOT NULL,
    source text NOT NULL,
    repo text NOT NULL,
    revision text NOT NULL,
    family text NOT NULL,
    status text NOT NULL,
    error text,
    architecture text,
    model_type text,
    sha text,
    weight_bytes bigint,
    parameter_count bigint,
    hf_token_enc bytea,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT models_family_check CHECK ((family = ANY (ARRAY['llm'::text, 'embedding'::text, 'rerank'::text, 'image'::text, 'audio'::text]))),
    CONSTRAINT models_status_check CHECK ((status = ANY (ARRAY['importing'::text, 'ready'::text, 'failed'::text, 'unverified'::text]))),
    CONSTRAINT models_weight_bytes_check CHECK (((weight_bytes IS NULL) OR (weight_bytes >= 0)))
);


--
-- Name: tenants; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tenants (
    id uuid NOT NULL,
    name text NOT NULL,
    gpu_quota integer DEFAULT 4 NOT NULL,
    spend_limit_micros bigint,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    deleted_at timestamp with time zone,
    requests_per_minute integer,
    max_concurrent_requests integer,
    CONSTRAINT tenants_gpu_quota_check CHECK ((gpu_quota >= 0)),
    CONSTRAINT tenants_max_concurrent_requests_check CHECK (((max_concurrent_requests IS NULL) OR ((max_concurrent_requests >= 1) AND (max_concurrent_requests <= 1000000)))),
    CONSTRAINT tenants_name_check CHECK ((name ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text)),
    CONSTRAINT tenants_requests_per_minute_check CHECK (((requests_per_minute IS NULL) OR ((requests_per_minute >= 1) AND (requests_per_minute <= 1000000)))),
    CONSTRAINT tenants_spend_limit_micros_check CHECK (((spend_limit_micros IS NULL) OR (spend_limit_micros >= 0)))
);


--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (id);


--
-- Name: api_keys api_keys_secret_sha256_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_secret_sha256_key UNIQUE (secret_sha256);


--
-- Name: billing_instances billing_instances_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.billing_instances
    ADD CONSTRAINT billing_instances_pkey PRIMARY KEY (instance_id);


--
-- Name: billing_periods billing_periods_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.billing_periods
    ADD CONSTRAINT billing_periods_pkey PRIMARY KEY (period);


--
-- Name: budget_reservations budget_reservations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.budget_reservations
    ADD CONSTRAINT budget_reservations_pkey PRIMARY KEY (instance_id);


--
-- Name: deployments deployments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_pkey PRIMARY KEY (id);


--
-- Name: flyway_schema_history flyway_schema_history_pk; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.flyway_schema_history
    ADD CONSTRAINT flyway_schema_history_pk PRIMARY KEY (installed_rank);


--
-- Name: instance_events instance_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_events
    ADD CONSTRAINT instance_events_pkey PRIMARY KEY (event_id);


--
-- Name: instance_heartbeats instance_heartbeats_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_heartbeats
    ADD CONSTRAINT instance_heartbeats_pkey PRIMARY KEY (instance_id);


--
-- Name: invoiced_usage invoiced_usage_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoiced_usage
    ADD CONSTRAINT invoiced_usage_pkey PRIMARY KEY (invoice_id, instance_id, usage_period);


--
-- Name: invoices invoices_number_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_number_key UNIQUE (number);


--
-- Name: invoices invoices_period_tenant_name_seq_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_period_tenant_name_seq_key UNIQUE (period, tenant_name, seq);


--
-- Name: invoices invoices_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_pkey PRIMARY KEY (id);


--
-- Name: invoices invoices_tenant_id_period_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_tenant_id_period_key UNIQUE (tenant_id, period);


--
-- Name: models models_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_pkey PRIMARY KEY (id);


--
-- Name: tenants tenants_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tenants
    ADD CONSTRAINT tenants_pkey PRIMARY KEY (id);


--
-- Name: api_keys_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX api_keys_tenant ON public.api_keys USING btree (tenant_id);


--
-- Name: billing_instances_open; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX billing_instances_open ON public.billing_instances USING btree (instance_id) WHERE (ended_at IS NULL);


--
-- Name: billing_instances_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX billing_instances_tenant ON public.billing_instances USING btree (tenant_id, started_at);


--
-- Name: budget_reservations_tenant; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX budget_reservations_tenant ON public.budget_reservations USING btree (tenant_id, period);


--
-- Name: deployments_live_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX deployments_live_name ON public.deployments USING btree (tenant_id, model_name) WHERE (deleted_at IS NULL);


--
-- Name: deployments_model; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX deployments_model ON public.deployments USING btree (model_id) WHERE (deleted_at IS NULL);


--
-- Name: flyway_schema_history_s_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX flyway_schema_history_s_idx ON public.flyway_schema_history USING btree (success);


--
-- Name: instance_events_deployment; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX instance_events_deployment ON public.instance_events USING btree (deployment_id, occurred_at);


--
-- Name: instance_events_instance; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX instance_events_instance ON public.instance_events USING btree (instance_id, occurred_at);


--
-- Name: invoiced_usage_instance; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX invoiced_usage_instance ON public.invoiced_usage USING btree (instance_id, usage_period);


--
-- Name: models_live_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX models_live_name ON public.models USING btree (tenant_id, name) WHERE (deleted_at IS NULL);


--
-- Name: tenants_live_name; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX tenants_live_name ON public.tenants USING btree (name) WHERE (deleted_at IS NULL);


--
-- Name: api_keys api_keys_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT api_keys_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;


--
-- Name: billing_instances billing_instances_deployment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.billing_instances
    ADD CONSTRAINT billing_instances_deployment_id_fkey FOREIGN KEY (deployment_id) REFERENCES public.deployments(id);


--
-- Name: billing_instances billing_instances_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.billing_instances
    ADD CONSTRAINT billing_instances_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: budget_reservations budget_reservations_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.budget_reservations
    ADD CONSTRAINT budget_reservations_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: deployments deployments_model_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_model_id_fkey FOREIGN KEY (model_id) REFERENCES public.models(id);


--
-- Name: deployments deployments_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.deployments
    ADD CONSTRAINT deployments_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: instance_events instance_events_deployment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_events
    ADD CONSTRAINT instance_events_deployment_id_fkey FOREIGN KEY (deployment_id) REFERENCES public.deployments(id);


--
-- Name: instance_events instance_events_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.instance_events
    ADD CONSTRAINT instance_events_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: invoiced_usage invoiced_usage_invoice_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoiced_usage
    ADD CONSTRAINT invoiced_usage_invoice_id_fkey FOREIGN KEY (invoice_id) REFERENCES public.invoices(id);


--
-- Name: invoices invoices_period_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_period_fkey FOREIGN KEY (period) REFERENCES public.billing_periods(period);


--
-- Name: invoices invoices_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invoices
    ADD CONSTRAINT invoices_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id);


--
-- Name: models models_tenant_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.models
    ADD CONSTRAINT models_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES public.tenants(id) ON DELETE CASCADE;


--
-- PostgreSQL database dump complete
--

\unrestrict D1sv06wXYUderk0JOW0Tbauar0VjvGj0wfFuIoCiEFK5AWVjZBSxjwxFCmDSsMF

--
-- PostgreSQL database dump
--

\restrict b84FuKYxcosDwxJL1yEVKEa9hl4bWoEAVEY9SjPAHBROW7nZqyNJBq01nBmBJ0U

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Data for Name: flyway_schema_history; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.flyway_schema_history VALUES (1, '1', 'tenants and keys', 'SQL', 'V1__tenants_and_keys.sql', 339945089, 'postgres', '2026-12-06 09:52:15.489416', 16, true);
INSERT INTO public.flyway_schema_history VALUES (2, '2', 'models and deployments', 'SQL', 'V2__models_and_deployments.sql', 127313319, 'postgres', '2026-12-06 09:52:15.531865', 15, true);
INSERT INTO public.flyway_schema_history VALUES (3, '3', 'rate limits', 'SQL', 'V3__rate_limits.sql', 886839726, 'postgres', '2026-12-06 09:52:15.564843', 6, true);
INSERT INTO public.flyway_schema_history VALUES (4, '4', 'instance events', 'SQL', 'V4__instance_events.sql', -503969369, 'postgres', '2026-12-06 09:52:15.580071', 6, true);
INSERT INTO public.flyway_schema_history VALUES (5, '5', 'billing', 'SQL', 'V5__billing.sql', -1452653300, 'postgres', '2026-12-06 09:52:15.596018', 18, true);


--
-- PostgreSQL database dump complete
--

\unrestrict b84FuKYxcosDwxJL1yEVKEa9hl4bWoEAVEY9SjPAHBROW7nZqyNJBq01nBmBJ0U

