/**
 * The autoscaler's loop: one leader (a Redis lease) samples demand, runs the decider and writes
 * desired replicas, decisions and idle-but-paid time; standbys sample too, to take over warm.
 */
package io.zeroscale.autoscaler.loop;
