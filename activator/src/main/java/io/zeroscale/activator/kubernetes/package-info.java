/**
 * The {@code kubernetes} runtime: one GPU pod per instance, built in pure functions, applied here.
 */
package io.zeroscale.activator.kubernetes;
