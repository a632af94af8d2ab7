/**
 * Monthly invoices: built from the ledger as a pure function, served as JSON and CSV, finalized
 * once per month with later corrections as adjustments on the next open invoice.
 */
package io.zeroscale.billing.invoice;
