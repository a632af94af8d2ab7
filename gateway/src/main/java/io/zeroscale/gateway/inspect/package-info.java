/**
 * What routing needs from an inference request, read without re-serializing it: the path's family,
 * the {@code model} and {@code stream} fields, and the body-size limits.
 */
package io.zeroscale.gateway.inspect;
