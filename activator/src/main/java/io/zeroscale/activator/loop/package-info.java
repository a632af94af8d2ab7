/**
 * The activator's loop: lifecycle, the leader lease, one pass per tick or wake-up, instance
 * tracking and adoption, probing, stopping (drain before stop), endpoint sync and heartbeats, on
 * two ports of its own ({@link io.zeroscale.activator.loop.ActivatorStore}, {@link
 * io.zeroscale.activator.loop.HealthProbe}) with their Redis and HTTP adapters. The rules it
 * applies live in {@code reconcile}.
 */
package io.zeroscale.activator.loop;
