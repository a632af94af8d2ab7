/**
 * Billing (SPEC §5) as its own module: the GPU-hour ledger projected from lifecycle events, charges
 * with the first-hour minimum, usage, monthly invoices, the per-tenant spend limit, the activator's
 * adapters (events, heartbeats, budget), and the billing tables' migrations.
 */
package io.zeroscale.billing;
