package io.zeroscale.billing.limit;

/** The answer to a reservation before a boot. */
public sealed interface Reservation {

  /** Boot it: the first hour is reserved (or the tenant has no limit). */
  record Allowed() implements Reservation {}

  /** Do not boot it. */
  record Refused(String reason) implements Reservation {}

  Reservation ALLOWED = new Allowed();
}
