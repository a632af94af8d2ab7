/**
 * The tenant's self-service billing settings ({@code GET/PATCH /api/v1/billing/settings}): its own
 * spend limit under the administrator's ceiling, and the alert threshold its usage reports.
 */
package io.zeroscale.billing.settings;
