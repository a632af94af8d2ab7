package io.zeroscale.gateway.model.s3;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * AWS Signature Version 4 for header-based authentication ({@code Authorization: AWS4-HMAC-SHA256
 * …}), as documented in "Signature Calculations for the Authorization Header" and checked against
 * AWS's published vectors (the SigV4 test suite's {@code get-vanilla} and {@code
 * get-vanilla-query-order-key-case}, S3's GET Object and ListObjects examples) in {@code
 * SigV4Test}.
 *
 * <p>Steps, for one request at instant {@code t}:
 *
 * <ol>
 *   <li>canonical request: method, URI path (each segment URI-encoded once, {@code /} kept), query
 *       (names and values URI-encoded, sorted by name), the signed headers (lower-case names,
 *       trimmed values, sorted, each {@code name:value\n}), their names joined by {@code ;}, and
 *       the payload's SHA-256 in hex;
 *   <li>string to sign: {@code AWS4-HMAC-SHA256}, {@code yyyyMMdd'T'HHmmss'Z'}, the scope {@code
 *       date/region/service/aws4_request}, the canonical request's SHA-256 in hex;
 *   <li>signing key: HMAC-SHA256 chained over date, region, service, {@code aws4_request}, starting
 *       from {@code "AWS4" + secret}; the signature is HMAC(key, string to sign) in hex.
 * </ol>
 *
 * <p>Pure functions of their inputs (the time is passed in): no secret is kept or logged.
 */
public final class SigV4 {

  /** SHA-256 of an empty payload: every GET this gateway signs. */
  public static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static final String ALGORITHM = "AWS4-HMAC-SHA256";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  private SigV4() {}

  /**
   * A request to sign.
   *
   * @param method e.g. {@code GET}
   * @param path the URI path, not yet encoded, e.g. {@code /bucket/a b.json}
   * @param query parameters, not yet encoded (sorted here)
   * @param headers the headers to sign, {@code host} and {@code x-amz-date} among them (names in
   *     any case)
   * @param payloadSha256 the payload's SHA-256 in hex ({@link #EMPTY_SHA256} for none)
   */
  public record Request(
      String method,
      String path,
      Map<String, String> query,
      Map<String, String> headers,
      String payloadSha256) {

    public Request {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(path, "path");
      query = Map.copyOf(query);
      headers = Map.copyOf(headers);
      Objects.requireNonNull(payloadSha256, "payloadSha256");
    }
  }

  /** {@code x-amz-date}'s form of an instant: {@code 20130524T000000Z}. */
  public static String amzDate(Instant t) {
    return AMZ_DATE.format(t);
  }

  /**
   * The {@code Authorization} header's value.
   *
   * @param amzDate the request's {@code x-amz-date} ({@link #amzDate(Instant)})
   */
  public static String authorization(
      Request request,
      String accessKeyId,
      String secretAccessKey,
      String region,
      String service,
      String amzDate) {
    TreeMap<String, String> headers = canonicalHeaders(request.headers());
    String signedHeaders = String.join(";", headers.keySet());
    String scope = amzDate.substring(0, 8) + "/" + region + "/" + service + "/aws4_request";
    String stringToSign =
        ALGORITHM
            + "\n"
            + amzDate
            + "\n"
            + scope
            + "\n"
            + sha256Hex(canonicalRequest(request, headers, signedHeaders));
    byte[] key =
        hmac(
            hmac(
                hmac(
                    hmac(
                        ("AWS4" + secretAccessKey).getBytes(StandardCharsets.UTF_8),
                        amzDate.substring(0, 8)),
                    region),
                service),
            "aws4_request");
    String signature = HEX.formatHex(hmac(key, stringToSign));
    return ALGORITHM
        + " Credential="
        + accessKeyId
        + "/"
        + scope
        + ", SignedHeaders="
        + signedHeaders
        + ", Signature="
        + signature;
  }

  /** The canonical request (step 1); package-visible for tests. */
  static String canonicalRequest(Request request) {
    TreeMap<String, String> headers = canonicalHeaders(request.headers());
    return canonicalRequest(request, headers, String.join(";", headers.keySet()));
  }

  private static String canonicalRequest(
      Request request, TreeMap<String, String> headers, String signedHeaders) {
    StringBuilder canonicalHeaders = new StringBuilder();
    headers.forEach((k, v) -> canonicalHeaders.append(k).append(':').append(v).append('\n'));
    return request.method()
        + "\n"
        + encodePath(request.path())
        + "\n"
        + canonicalQuery(request.query())
        + "\n"
        + canonicalHeaders
        + "\n"
        + signedHeaders
        + "\n"
        + request.payloadSha256();
  }

  private static TreeMap<String, String> canonicalHeaders(Map<String, String> headers) {
    TreeMap<String, String> out = new TreeMap<>();
    headers.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v.strip().replaceAll(" +", " ")));
    return out;
  }

  /** The query as signed and sent: encoded names and values, sorted, joined by {@code &}. */
  public static String canonicalQuery(Map<String, String> query) {
    TreeMap<String, String> sorted = new TreeMap<>();
    query.forEach((k, v) -> sorted.put(encode(k, true), encode(v, true)));
    return sorted.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("&"));
  }

  /** The path as signed and sent: each segment encoded, {@code /} kept; empty is {@code /}. */
  public static String encodePath(String path) {
    return path.isEmpty() ? "/" : encode(path, false);
  }

  /**
   * RFC 3986 encoding as SigV4 wants it: unreserved characters ({@code A-Z a-z 0-9 - _ . ~}) as
   * they are, every other byte of the UTF-8 form as {@code %XY} (upper-case hex); {@code /} too
   * when {@code slash}.
   */
  public static String encode(String s, boolean slash) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      boolean unreserved =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_'
              || c == '.'
              || c == '~';
      if (unreserved || (c == '/' && !slash)) {
        out.append(c);
      } else {
        out.append('%').append(HEX.withUpperCase().toHexDigits((byte) c));
      }
    }
    return out.toString();
  }

  /** SHA-256 of a UTF-8 string, in hex. */
  public static String sha256Hex(String s) {
    try {
      return HEX.formatHex(
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every JDK has HmacSHA256", e);
    }
  }
}
