/** API keys: generation, hashing and constant-time comparison; key to tenant and scopes. */
package io.zeroscale.gateway.auth;
