package io.zeroscale.sim.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the simulator was told about loading its model, as a real vLLM would use it: the model
 * argument ({@code org/repo} or {@code s3://bucket/prefix}), {@code --load-format} ({@code
 * runai_streamer} for S3), and the S3 variables the Run:ai streamer reads. The secret ones are kept
 * only as {@link TokenFingerprint}s; the region and the endpoint, which are not secret, as they
 * are. Shown on {@code GET /debug/credentials} so that a test can tell what an instance received.
 *
 * @param model the positional model argument, or null
 * @param loadFormat {@code --load-format}, or null
 * @param awsSecrets fingerprints of {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY},
 *     {@code AWS_SESSION_TOKEN}, those that were set
 * @param awsSettings {@code AWS_REGION}, {@code AWS_ENDPOINT_URL} and {@code
 *     AWS_EC2_METADATA_DISABLED}, those that were set
 */
public record ModelLoad(
    String model,
    String loadFormat,
    Map<String, TokenFingerprint> awsSecrets,
    Map<String, String> awsSettings) {

  /** The secret S3 variables: only their fingerprints are kept. */
  public static final List<String> AWS_SECRET_VARS =
      List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");

  /** The S3 settings: kept as they are. */
  public static final List<String> AWS_SETTING_VARS =
      List.of("AWS_REGION", "AWS_ENDPOINT_URL", "AWS_EC2_METADATA_DISABLED");

  /** Nothing known. */
  public static final ModelLoad NONE = new ModelLoad(null, null, Map.of(), Map.of());

  public ModelLoad {
    awsSecrets = Collections.unmodifiableMap(new LinkedHashMap<>(awsSecrets));
    awsSettings = Collections.unmodifiableMap(new LinkedHashMap<>(awsSettings));
  }

  /** Whether it was given a load format or any S3 variable. */
  public boolean s3Related() {
    return loadFormat != null || !awsSecrets.isEmpty() || !awsSettings.isEmpty();
  }

  /** From the arguments and the environment; empty variables count as unset. */
  public static ModelLoad of(String model, String loadFormat, Map<String, String> env) {
    Map<String, TokenFingerprint> secrets = new LinkedHashMap<>();
    for (String name : AWS_SECRET_VARS) {
      TokenFingerprint f = TokenFingerprint.of(env.get(name));
      if (f != null) {
        secrets.put(name, f);
      }
    }
    Map<String, String> settings = new LinkedHashMap<>();
    for (String name : AWS_SETTING_VARS) {
      String v = env.get(name);
      if (v != null && !v.isEmpty()) {
        settings.put(name, v);
      }
    }
    return new ModelLoad(model, loadFormat, secrets, settings);
  }
}
