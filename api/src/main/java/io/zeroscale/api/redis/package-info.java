/** The payloads of the shared Redis keys ({@link io.zeroscale.api.RedisSchema}), one codec each. */
package io.zeroscale.api.redis;
