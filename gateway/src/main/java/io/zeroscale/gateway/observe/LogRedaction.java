package io.zeroscale.gateway.observe;

import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blanks what looks like a secret in an instance's log lines before a tenant sees them: Hugging
 * Face tokens ({@code hf_…}), Zeroscale API and engine keys ({@code zs-…}, {@code zse_…}), AWS
 * access key ids ({@code AKIA…}, {@code ASIA…}), bearer values and {@code Authorization: Basic}
 * credentials, the password of a URL ({@code scheme://user:…@host}), the value of anything named
 * like a key, token, secret or password ({@code token=…}, {@code "api_key": "…"}, a quoted value up
 * to its closing quote, {@code --api-key …} and {@code secret …} with a space: after a bare name
 * only a value with a character other than a letter), long base64 or hex runs (32 characters or
 * more, letters and digits mixed), digit-only runs of 32 or more, and the literal secrets given
 * (the instance's own engine key). Each becomes {@value #MASK}. Errs on the side of blanking: a
 * long model sha is masked too.
 */
public final class LogRedaction {

  public static final String MASK = "[REDACTED]";

  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[^\\s\"',;]+");

  private static final Pattern BASIC =
      Pattern.compile("(?i)(authorization[\"']?\\s*[:=]\\s*[\"']?basic\\s+)[^\\s\"',;]+");

  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.-]*://[^\\s:/@\"']+:)[^\\s/@\"']+(?=@)");

  private static final String NAMES =
      "(?:api[_-]?key|access[_-]?key|secret[_-]?key|token|secret|password|passwd"
          + "|authorization|credentials?)";

  private static final Pattern QUOTED =
      Pattern.compile(
          "(?i)("
              + NAMES
              + "[\"']?\\s*[:=]\\s*)(?:\"(?!\\[REDACTED]\")[^\"]*\"|'(?!\\[REDACTED]')[^']*')");

  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)("
              + NAMES
              + "[\"']?\\s*[:=]\\s*[\"']?)"
              + "(?!\\[REDACTED]|(?i:bearer|basic)\\s)"
              + "([^\\s\"',;}]+)");

  /** {@code --api-key value}, {@code -token value}: any value that is not another flag. */
  private static final Pattern FLAG =
      Pattern.compile(
          "(?i)((?<![\\w-])--?[\\w-]*" + NAMES + "\\s+)(?!-|\\[REDACTED])([^\\s\"',;]+)");

  /** {@code secret value}: a value with a character other than a letter (not "token file"). */
  private static final Pattern SPACED =
      Pattern.compile(
          "(?i)((?<![\\w-])"
              + NAMES
              + "\\s+)(?!\\[REDACTED])(?=[^\\s\"',;]*[^A-Za-z\\s\"',;])([^\\s\"',;]{6,})");

  private static final Pattern DIGITS = Pattern.compile("(?<![A-Za-z0-9])[0-9]{32,}");

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
    out = BASIC.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = URL_PASSWORD.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = PREFIXED.matcher(out).replaceAll(MASK);
    out =
        QUOTED
            .matcher(out)
            .replaceAll(
                m -> {
                  char quote = m.group().charAt(m.group().length() - 1);
                  return Matcher.quoteReplacement(m.group(1) + quote + MASK + quote);
                });
    out = NAMED.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = FLAG.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = SPACED.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = LONG_RUN.matcher(out).replaceAll(MASK);
    out = DIGITS.matcher(out).replaceAll(MASK);
    return out;
  }
}
