/**
 * The activator's rules as pure functions of (policy, state, now): the per-deployment decision
 * ({@link io.zeroscale.activator.reconcile.Reconcile}), boot failures and backoff, the budget gate,
 * probe verdicts and live counts. No Spring, Redisson, Kubernetes or clock of its own.
 */
package io.zeroscale.activator.reconcile;
