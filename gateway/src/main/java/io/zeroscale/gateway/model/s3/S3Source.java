package io.zeroscale.gateway.model.s3;

import io.zeroscale.gateway.model.hub.HfSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A model stored under a prefix of an S3 bucket, {@code s3://bucket/prefix}, the form vLLM takes as
 * its model argument with {@code --load-format runai_streamer}.
 *
 * <p>The bucket follows AWS's naming rules for new buckets: 3 to 63 of lower-case letters, digits,
 * {@code .} and {@code -}, starting and ending with a letter or digit, no {@code ..}. The prefix is
 * 1 to {@value #MAX_PREFIX_CHARS} of AWS's "safe" key characters (letters, digits, {@code
 * !-_.*'()}) and {@code /}, without an empty, {@code .} or {@code ..} segment, not starting with
 * {@code -} (it ends up on an engine's command line); a trailing {@code /} is dropped. {@code @},
 * spaces, {@code %} and {@code +} are refused so that the URI needs no escaping anywhere.
 *
 * @param bucket e.g. {@code acme-models}
 * @param prefix e.g. {@code llama/7b}, without a leading or trailing {@code /}
 */
public record S3Source(String bucket, String prefix) {

  /** Appended to every parse error. */
  public static final String ACCEPTED_FORM = "accepted form: s3://bucket/prefix";

  static final int MAX_PREFIX_CHARS = 512;

  /** A URL beyond this is no store's endpoint; it bounds what is stored and echoed. */
  static final int MAX_ENDPOINT_CHARS = 512;

  private static final Pattern BUCKET = Pattern.compile("[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]");
  private static final Pattern IP_LIKE = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9!_.*'()/-]+");

  public S3Source {
    String problem = bucketProblem(bucket);
    if (problem == null) {
      problem = prefixProblem(prefix);
    }
    if (problem != null) {
      throw new IllegalArgumentException(problem + "; " + ACCEPTED_FORM);
    }
  }

  /** Whether {@code source} is meant as an S3 source (its scheme is {@code s3}). */
  public static boolean isS3(String source) {
    return source != null && source.strip().toLowerCase(Locale.ROOT).startsWith("s3://");
  }

  /**
   * Parses {@code s3://bucket/prefix}.
   *
   * @throws IllegalArgumentException saying what is wrong, echoing at most 40 characters
   */
  public static S3Source parse(String source) {
    if (!isS3(source)) {
      throw new IllegalArgumentException(
          "source '" + HfSource.echo(String.valueOf(source)) + "' is not s3://…; " + ACCEPTED_FORM);
    }
    String rest = source.strip().substring("s3://".length());
    while (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException(
          "source '" + HfSource.echo(source) + "' names a bucket but no prefix; " + ACCEPTED_FORM);
    }
    return new S3Source(rest.substring(0, slash), rest.substring(slash + 1));
  }

  /** The canonical form, {@code s3://bucket/prefix}: also the engine's model argument. */
  public String uri() {
    return "s3://" + bucket + "/" + prefix;
  }

  /** The key of a file directly under the prefix, e.g. {@code llama/7b/config.json}. */
  public String key(String file) {
    return prefix + "/" + file;
  }

  /** The last segment of the prefix: the default library name. */
  public String lastSegment() {
    return prefix.substring(prefix.lastIndexOf('/') + 1);
  }

  private static String bucketProblem(String bucket) {
    if (bucket == null || bucket.isEmpty()) {
      return "bucket is empty";
    }
    String shown = "bucket '" + HfSource.echo(bucket) + "'";
    if (bucket.length() < 3 || bucket.length() > 63) {
      return shown + " must be 3 to 63 characters long";
    }
    if (!BUCKET.matcher(bucket).matches()) {
      return shown
          + " may only contain lower-case letters, digits, '.' and '-', and must start and end"
          + " with a letter or a digit";
    }
    if (bucket.contains("..") || IP_LIKE.matcher(bucket).matches()) {
      return shown + " must not contain '..' nor be an IP address";
    }
    return null;
  }

  private static String prefixProblem(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return "prefix is empty";
    }
    if (prefix.length() > MAX_PREFIX_CHARS) {
      return "prefix is " + prefix.length() + " characters long, at most " + MAX_PREFIX_CHARS;
    }
    String shown = "prefix '" + HfSource.echo(prefix) + "'";
    if (!PREFIX.matcher(prefix).matches()) {
      return shown + " may only contain letters, digits, '/' and !-_.*'()";
    }
    if (prefix.startsWith("-") || prefix.startsWith("/")) {
      return shown + " must not start with '-' or '/'";
    }
    for (String segment : prefix.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return shown + " must not have an empty, '.' or '..' segment";
      }
    }
    return null;
  }

  /**
   * Checks an S3-compatible store's URL as {@code zeroscale.hub.url} is checked, plus what a
   * tenant's URL must not carry: absolute {@code http} or {@code https}, a host, no user
   * information (credentials go in {@code s3_credentials}, where they are sealed), no query or
   * fragment, at most {@value #MAX_ENDPOINT_CHARS} characters. Whether its host may be reached at
   * all is decided when it is ({@link PublicAddressResolver}).
   *
   * @return the endpoint without a trailing {@code /}
   * @throws IllegalArgumentException naming the problem; never echoes user information
   */
  public static URI endpoint(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException("endpoint is empty");
    }
    if (endpoint.length() > MAX_ENDPOINT_CHARS) {
      throw new IllegalArgumentException(
          "endpoint is " + endpoint.length() + " characters long, at most " + MAX_ENDPOINT_CHARS);
    }
    URI url;
    try {
      url = new URI(endpoint.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("endpoint is not a valid URL (" + e.getReason() + ")");
    }
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
      throw new IllegalArgumentException("endpoint must be an absolute http(s) URL with a host");
    }
    if (url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "endpoint must not carry credentials; give them in 's3_credentials'");
    }
    if (url.getRawQuery() != null || url.getRawFragment() != null) {
      throw new IllegalArgumentException("endpoint must have no query or fragment");
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    String port = url.getPort() < 0 ? "" : ":" + url.getPort();
    return URI.create(scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + port + path);
  }
}
