/** What the gateway's PostgreSQL stores share: binding, column reading and time conversions. */
package io.zeroscale.gateway.store;
