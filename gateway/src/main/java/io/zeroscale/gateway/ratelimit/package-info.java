/**
 * Per-key rate limits shared by every gateway through Redis: requests per minute (a bucket4j token
 * bucket) and requests in flight (leased slots), failing open when Redis cannot answer.
 */
package io.zeroscale.gateway.ratelimit;
