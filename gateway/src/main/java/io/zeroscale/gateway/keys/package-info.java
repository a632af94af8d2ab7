/** Self-service API keys (/api/v1/keys): a tenant key with keys:write manages narrower keys. */
package io.zeroscale.gateway.keys;
