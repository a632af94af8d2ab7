package io.zeroscale.gateway.observe;

import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blanks what looks like a secret in an instance's log lines before a tenant sees them: Hugging
 * Face tokens ({@code hf_…}), Zeroscale API and engine keys ({@code zs-…}, {@code zse_…}), AWS
 * access key ids ({@code AKIA…}, {@code ASIA…}), bearer values, the value of anything named like a
 * key, token, secret or password ({@code token=…}, {@code "api_key": "…"}), long base64 or hex runs
 * (32 characters or more, letters and digits mixed), and the literal secrets given (the instance's
 * own engine key). Each becomes {@value #MASK}. Errs on the side of blanking: a long model sha is
 * masked too.
 */
public final class LogRedaction {

  public static final String MASK = "[REDACTED]";

  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+");

  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)((?:api[_-]?key|access[_-]?key|secret[_-]?key|token|secret|password|passwd"
              + "|authorization|credentials?)[\"']?\\s*[:=]\\s*[\"']?)"
              + "(?!\\[REDACTED]|(?i:bearer)\\s)"
              + "([^\\s\"',;}]+)");

  private static final Pattern PREFIXED =
      Pattern.compile(
          "\\b(?:hf_[A-Za-z0-9]{8,}|zse?[-_][A-Za-z0-9_-]{8,}|(?:AKIA|ASIA)[A-Z0-9]{16})");

  private static final Pattern LONG_RUN =
      Pattern.compile(
          "(?<![A-Za-z0-9+/_-])(?=[A-Za-z0-9+/_-]*[0-9])(?=[A-Za-z0-9+/_-]*[A-Za-z])"
              + "[A-Za-z0-9+/_-]{32,}={0,2}");

  private LogRedaction() {}

  /** The lines with their secrets blanked. */
  public static List<String> redact(List<String> lines, Collection<String> secrets) {
    return lines.stream().map(l -> redact(l, secrets)).toList();
  }

  /** One line with its secrets blanked. */
  public static String redact(String line, Collection<String> secrets) {
    String out = line;
    for (String s : secrets) {
      if (s != null && s.length() >= 8) {
        out = out.replace(s, MASK);
      }
    }
    out = BEARER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = PREFIXED.matcher(out).replaceAll(MASK);
    out = NAMED.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = LONG_RUN.matcher(out).replaceAll(MASK);
    return out;
  }
}
