package io.zeroscale.gateway.deployment;

import io.zeroscale.api.redis.S3Access;
import io.zeroscale.gateway.model.hub.HfSource;
import io.zeroscale.gateway.model.s3.S3Source;

/**
 * What a deployment's {@code model} names: a library model, or a hub repo or an S3 prefix imported
 * on the way.
 */
public sealed interface ModelRef {

  /** {@code "model": "<library model id or name>"}. */
  record Library(String ref) implements ModelRef {}

  /**
   * {@code "model": {"hf": {"repo": "...", "revision": "...", "hf_token": "..."}}}.
   *
   * @param hfToken the tenant's token for a private or gated repo, null for none: used for the
   *     lookup and sealed with the imported model, never echoed
   */
  record Hub(HfSource source, String hfToken) implements ModelRef {

    /** Never prints the token. */
    @Override
    public String toString() {
      return "Hub[source="
          + source.uri()
          + ", hfToken="
          + (hfToken == null ? "none" : "<redacted>")
          + "]";
    }
  }

  /**
   * {@code "model": {"s3": {"source": "s3://bucket/prefix", "endpoint": ..., "s3_credentials":
   * {...}}}} (issue #20): always imported anew, with its access sealed.
   */
  record S3(S3Source source, S3Access access) implements ModelRef {

    /** Never prints the credentials. */
    @Override
    public String toString() {
      return "S3[source=" + source.uri() + ", access=" + access + "]";
    }
  }
}
