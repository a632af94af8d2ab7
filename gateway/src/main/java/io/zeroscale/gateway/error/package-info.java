/** The one place where errors become an HTTP status and an OpenAI-shaped error body. */
package io.zeroscale.gateway.error;
