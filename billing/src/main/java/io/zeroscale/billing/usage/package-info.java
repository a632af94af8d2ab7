/** A tenant's usage: the ledger's charges within a range, per instance and deployment. */
package io.zeroscale.billing.usage;
