/**
 * Instance lifecycle events: what billing is computed from, written at least once, idempotently.
 * The ports ({@code EventLog}, {@code HeartbeatLog}) are the activator's; the billing module
 * implements them on PostgreSQL.
 */
package io.zeroscale.activator.events;
