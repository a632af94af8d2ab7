package io.zeroscale.gateway.inspect;

import io.zeroscale.api.Family;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The data-plane paths that carry a {@code model} (SPEC §2), each with the one family it may call.
 * Each is served both as {@code /v1/...} and as {@code /custom-model/v1/...}; the instance is
 * always called on the {@code /v1/...} form.
 */
public enum InferencePath {
  CHAT_COMPLETIONS("/v1/chat/completions", Family.LLM),
  COMPLETIONS("/v1/completions", Family.LLM),
  EMBEDDINGS("/v1/embeddings", Family.EMBEDDING),
  RERANK("/v1/rerank", Family.RERANK),
  IMAGE_GENERATIONS("/v1/images/generations", Family.IMAGE),
  AUDIO_TRANSCRIPTIONS("/v1/audio/transcriptions", Family.AUDIO);

  /** The prefix under which the same paths are served again. */
  public static final String CUSTOM_MODEL_PREFIX = "/custom-model";

  /**
   * Both spellings of every path, each also with one trailing slash (Regolo's examples post to
   * {@code /custom-model/v1/chat/completions/}): 24 entries, one hash lookup per request. The auth
   * filter decides on the normalized path, where a trailing slash collapses already.
   */
  private static final Map<String, InferencePath> BY_PATH = new HashMap<>();

  static {
    for (InferencePath p : values()) {
      for (String path : List.of(p.upstreamPath, CUSTOM_MODEL_PREFIX + p.upstreamPath)) {
        BY_PATH.put(path, p);
        BY_PATH.put(path + "/", p);
      }
    }
  }

  private final String upstreamPath;
  private final Family family;

  InferencePath(String upstreamPath, Family family) {
    this.upstreamPath = upstreamPath;
    this.family = family;
  }

  /**
   * The inference path a request path names, exactly or with one trailing slash (no query string:
   * pass the path only). {@code /v1/models} is not one: it carries no model.
   */
  public static Optional<InferencePath> match(String path) {
    return path == null ? Optional.empty() : Optional.ofNullable(BY_PATH.get(path));
  }

  /** The {@code /v1/...} path to call on the instance, whichever spelling the client used. */
  public String upstreamPath() {
    return upstreamPath;
  }

  /** The only family of deployment this path may reach; another family is a 400. */
  public Family family() {
    return family;
  }

  /** Whether the body is {@code multipart/form-data} (audio uploads) rather than JSON. */
  public boolean multipart() {
    return family == Family.AUDIO;
  }
}
