/**
 * The per-tenant monthly spend limit: reservations before a boot, budgets published over Redis and
 * mirrored in every gateway, scale to zero when reached, and the activator's budget adapter.
 */
package io.zeroscale.billing.limit;
