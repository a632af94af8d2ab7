package io.zeroscale.sim.http;

import io.netty.handler.codec.http.multipart.HttpPostRequestDecoder;
import io.zeroscale.sim.engine.InjectedFailureException;
import io.zeroscale.sim.engine.QueueFullException;
import io.zeroscale.sim.openai.InvalidRequestException;
import io.zeroscale.sim.openai.Json;
import io.zeroscale.sim.openai.ModelNotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * An error as the client sees it: HTTP status plus OpenAI's {@code {"error": {message, type, param,
 * code}}} body. Every failure is mapped to one of these here and only here.
 *
 * @param status HTTP status, also the {@code code} field (vLLM's convention)
 * @param type {@code BadRequestError}, {@code NotFoundError}, ... (vLLM's names)
 * @param message human-readable; never contains prompt content
 * @param param the request field at fault, or null
 */
public record ApiError(int status, String type, String message, String param) {

  private static final Logger log = LoggerFactory.getLogger(ApiError.class);

  /** Seconds a 429 client should wait, sent as {@code Retry-After}. */
  static final int RETRY_AFTER_SECONDS = 1;

  public static ApiError notReady() {
    return new ApiError(
        503, "ServiceUnavailableError", "The engine is still starting up; retry later.", null);
  }

  public static ApiError routeNotFound(String method, String path) {
    return new ApiError(404, "NotFoundError", "No route for " + method + " " + path + ".", null);
  }

  public static ApiError wrongFamily(String path, String family) {
    return new ApiError(
        404,
        "NotFoundError",
        path + " is not served: this engine serves the '" + family + "' family.",
        null);
  }

  public static ApiError methodNotAllowed(String method, String path) {
    return new ApiError(
        405, "MethodNotAllowedError", method + " is not allowed on " + path + ".", null);
  }

  /** A request without the engine's API key (vLLM's {@code --api-key}). */
  public static ApiError unauthorized() {
    return new ApiError(
        401,
        "AuthenticationError",
        "Missing or invalid API key: send Authorization: Bearer <key>.",
        null);
  }

  public static ApiError crashed() {
    return new ApiError(500, "InternalServerError", "The engine crashed.", null);
  }

  /** Maps any failure of a request to what the client gets. */
  public static ApiError from(Throwable error) {
    return switch (error) {
      case InvalidRequestException e ->
          new ApiError(400, "BadRequestError", e.getMessage(), e.param());
      case ModelNotFoundException e -> new ApiError(404, "NotFoundError", e.getMessage(), "model");
      case QueueFullException e -> new ApiError(429, "RateLimitError", e.getMessage(), null);
      case InjectedFailureException e -> new ApiError(500, "server_error", e.getMessage(), null);
      case HttpPostRequestDecoder.ErrorDataDecoderException e -> multipartError(e);
      default -> {
        // Only the type at WARN: exception messages can quote request content.
        log.warn("unexpected {} while serving a request", error.getClass().getName());
        log.debug("unexpected error details", error);
        yield new ApiError(500, "InternalServerError", "Internal error.", null);
      }
    };
  }

  private static ApiError multipartError(Throwable e) {
    String detail =
        String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
    if (detail.contains("exceed")) {
      return new ApiError(413, "RequestTooLargeError", "The uploaded file is too large.", "file");
    }
    return new ApiError(400, "BadRequestError", "Invalid multipart/form-data body.", null);
  }

  /** The JSON body. */
  public byte[] body() {
    ObjectNode root = Json.object();
    ObjectNode error = root.putObject("error");
    error.put("message", message);
    error.put("type", type);
    if (param == null) {
      error.putNull("param");
    } else {
      error.put("param", param);
    }
    error.put("code", status);
    return Json.bytes(root);
  }
}
