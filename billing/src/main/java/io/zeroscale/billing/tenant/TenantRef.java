package io.zeroscale.billing.tenant;

import java.util.UUID;

/**
 * A tenant as billing sees it, deleted or not (invoices outlive tenants).
 *
 * @param spendLimitMicros its monthly spend limit in micro-dollars, or null without one
 */
public record TenantRef(UUID id, String name, Long spendLimitMicros) {}
