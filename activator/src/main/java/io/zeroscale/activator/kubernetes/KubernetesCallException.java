package io.zeroscale.activator.kubernetes;

import io.kubernetes.client.openapi.ApiException;

/**
 * A Kubernetes API call failed: the activator counts it as a failed launch, list or stop and
 * retries. The message names the call, the namespace and the HTTP status; the response body is cut
 * short (it is the API server's Status, which never holds secrets, but can be long).
 */
public final class KubernetesCallException extends Exception {

  private static final int MAX_BODY = 300;

  private final int code;

  private KubernetesCallException(String message, int code, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  static KubernetesCallException of(String call, String namespace, ApiException e) {
    String body = e.getResponseBody() == null ? "" : e.getResponseBody().strip();
    if (body.length() > MAX_BODY) {
      body = body.substring(0, MAX_BODY) + "...";
    }
    String status =
        e.getCode() == 0 ? "no response (" + e.getMessage() + ")" : "HTTP " + e.getCode();
    return new KubernetesCallException(
        "kubernetes: "
            + call
            + " in namespace "
            + namespace
            + " failed: "
            + status
            + (body.isEmpty() ? "" : ": " + body),
        e.getCode(),
        e);
  }

  /** The HTTP status, or 0 when the API server did not answer. */
  public int code() {
    return code;
  }
}
