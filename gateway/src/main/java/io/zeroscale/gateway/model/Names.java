package io.zeroscale.gateway.model;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The naming rule of library models and deployments' {@code model_name}: 1 to 128 characters,
 * letters, digits, {@code .}, {@code _} and {@code -}, starting with a letter or a digit. Such a
 * name is safe in a URL path, a Kubernetes label value (after truncation) and a scope ({@code
 * inference:<model_name>}).
 */
public final class Names {

  public static final Pattern RULE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final int MAX_ECHO = 140;

  private Names() {}

  /** What is wrong with {@code value} as the field {@code field}, if anything. */
  public static Optional<String> problem(String field, String value) {
    if (value != null && RULE.matcher(value).matches()) {
      return Optional.empty();
    }
    String shown =
        value == null
            ? "nothing"
            : "'" + (value.length() > MAX_ECHO ? value.substring(0, MAX_ECHO) + "…" : value) + "'";
    return Optional.of(
        "'"
            + field
            + "' must be 1 to 128 characters: letters, digits, '.', '_' or '-', starting with a"
            + " letter or a digit; got "
            + shown
            + ".");
  }

  /**
   * A default model name from a hub repo: {@code meta-llama/Llama-2-7b-hf} → {@code Llama-2-7b-hf}.
   */
  public static Optional<String> fromRepo(String repo) {
    String name = repo.substring(repo.indexOf('/') + 1);
    return RULE.matcher(name).matches() ? Optional.of(name) : Optional.empty();
  }
}
