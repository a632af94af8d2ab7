/** Secrets at rest: AES-256-GCM sealing of tenants' Hugging Face tokens. */
package io.zeroscale.api.crypto;
