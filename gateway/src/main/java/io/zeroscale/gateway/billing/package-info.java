/**
 * Billing (SPEC §5): the GPU-hour ledger projected from lifecycle events, charges with the
 * first-hour minimum, usage, monthly invoices, and the per-tenant spend limit.
 */
package io.zeroscale.gateway.billing;
