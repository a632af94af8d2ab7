/**
 * Instance lifecycle events: what billing is computed from, written at least once, idempotently.
 */
package io.zeroscale.activator.events;
