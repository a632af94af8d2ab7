/**
 * The GPU-hour ledger: lifecycle events and heartbeats projected into one row per instance, and the
 * SPEC §5 charge rules (first-hour minimum, per-second accrual) as pure functions.
 */
package io.zeroscale.billing.ledger;
