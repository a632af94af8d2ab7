/** Billing's read of the control plane's tenants and deployments (names, spend limits). */
package io.zeroscale.billing.tenant;
