/** The secrets key's setting; the sealing itself is {@link io.zeroscale.api.crypto.SecretBox}. */
package io.zeroscale.gateway.crypto;
