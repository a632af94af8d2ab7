package io.zeroscale.gateway.deployment;

import io.zeroscale.api.WireName;

/**
 * Where a deployment revision is in its life; on the wire (API, database) in lowercase. Revision 1
 * starts {@code active} (nothing to roll out from); a later one starts {@code rolling_out}.
 */
public enum RevisionStatus implements WireName {
  /** Asked for; the activator replaces the older revisions' instances with its own. */
  ROLLING_OUT,
  /** Every instance runs it (or would, at zero): what the deployment serves. */
  ACTIVE,
  /** Replaced by a newer revision (that rolled out, or was asked for before it finished). */
  SUPERSEDED,
  /** Its instances failed to boot; the deployment went back to its last active revision. */
  FAILED;

  /** Reads what {@link #wire()} wrote; an unknown value is an {@link IllegalArgumentException}. */
  public static RevisionStatus fromWire(String value) {
    return WireName.fromWire(RevisionStatus.class, value)
        .orElseThrow(() -> new IllegalArgumentException("unknown revision status " + value));
  }
}
