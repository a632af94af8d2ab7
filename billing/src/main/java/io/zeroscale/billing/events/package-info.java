/**
 * The activator's event and heartbeat logs on PostgreSQL: the ledger's input tables, which this
 * module's migrations create ({@code V4__instance_events.sql}, {@code V5__billing.sql}).
 */
package io.zeroscale.billing.events;
