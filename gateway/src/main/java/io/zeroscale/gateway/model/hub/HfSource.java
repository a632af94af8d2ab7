package io.zeroscale.gateway.model.hub;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model on the Hugging Face hub: a repo id ({@code owner/name}) at a revision (branch, tag or
 * commit sha).
 *
 * <p>The repo id rules are the hub's own (huggingface_hub {@code validate_repo_id}): each part is 1
 * to 96 of letters, digits, {@code -}, {@code _}, {@code .}, starts and ends with a letter, digit
 * or {@code _}, and contains neither {@code ..} nor {@code --}; the name does not end in {@code
 * .git}. Checking them here turns a typo into a 422 that names the problem, instead of a hub round
 * trip that answers with an opaque 404 or 401.
 *
 * <p>The revision rules are git's ref-name rules ({@code git check-ref-format}) on a safe subset of
 * characters: 1 to 255 of letters, digits, {@code -}, {@code _}, {@code .}, {@code /}; not starting
 * with {@code -}; no {@code ..}, no empty part ({@code //}, a leading or trailing {@code /}), no
 * part starting with {@code .} or ending with {@code .lock}, no trailing {@code .}. The subset
 * already leaves out what git forbids beyond that (space, control characters, {@code ~^:?*[\},
 * {@code @{} and {@code @} alone). Both values end up on an engine's command line ({@code vllm
 * serve {repo} --revision {rev}}): a revision {@code --trust-remote-code} would be an option, not a
 * revision, and is refused here, at the door, with the repo's leading {@code -} likewise.
 *
 * @param repo {@code owner/name}, e.g. {@code meta-llama/Llama-2-7b-hf}
 * @param revision branch, tag or commit, e.g. {@code main} or {@code refs/pr/1}
 */
public record HfSource(String repo, String revision) {

  /** The revision used when a source names none, as on the hub. */
  public static final String DEFAULT_REVISION = "main";

  /** Appended to every parse error: the message reaches the user as a 422/400 body. */
  public static final String ACCEPTED_FORMS =
      "accepted forms: hf://owner/name, hf://owner/name@revision,"
          + " https://huggingface.co/owner/name, https://huggingface.co/owner/name/tree/revision";

  private static final int MAX_PART_CHARS = 96;

  /** Git ref names are far longer than anyone uses; 255 keeps the stored value bounded. */
  private static final int MAX_REVISION_CHARS = 255;

  /** Echoing a megabyte of input back in an error helps nobody; 40 characters identify it. */
  private static final int MAX_ECHO_CHARS = 40;

  private static final Pattern PART =
      Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?");
  private static final Pattern PART_CHARS = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9_./-]+");
  private static final Set<String> HUB_HOSTS = Set.of("huggingface.co", "www.huggingface.co");

  /** Paths on huggingface.co that are not model repos but look like {@code owner/name}. */
  private static final Set<String> NON_MODEL_PREFIXES = Set.of("datasets", "spaces");

  public HfSource {
    String problem = repoProblem(repo);
    if (problem == null) {
      problem = revisionProblem(revision);
    }
    if (problem != null) {
      throw new IllegalArgumentException(problem + "; " + ACCEPTED_FORMS);
    }
  }

  /** The repo at {@link #DEFAULT_REVISION}. */
  public static HfSource of(String repo) {
    return new HfSource(repo, DEFAULT_REVISION);
  }

  /**
   * Parses what a user typed as a model source: {@code hf://owner/name[@revision]} or a
   * huggingface.co model page ({@code http(s)://[www.]huggingface.co/owner/name[/tree/revision]},
   * trailing slash, query and fragment ignored). A revision in a URL is percent-decoded, as the hub
   * writes {@code refs/pr/1} as {@code tree/refs%2Fpr%2F1}.
   *
   * @throws IllegalArgumentException saying what is wrong and which forms are accepted
   */
  public static HfSource parse(String source) {
    if (source == null || source.isBlank()) {
      throw invalid("source is empty");
    }
    String s = source.strip();
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("hf://")) {
      return parseHf(source, s.substring("hf://".length()));
    }
    if (lower.startsWith("https://") || lower.startsWith("http://")) {
      return parseUrl(source, s);
    }
    throw invalid(
        "source '" + echo(source) + "' is neither an hf:// reference nor a huggingface.co URL");
  }

  /** The canonical form, always with the revision: {@code hf://owner/name@revision}. */
  public String uri() {
    return "hf://" + repo + "@" + revision;
  }

  /**
   * As {@link #parse}, also taking a bare {@code owner/name[@revision]} (no scheme) as {@code
   * hf://owner/name[@revision]}: the seed platforms' shape (Together takes a bare repo). An alias
   * at the API's edge; {@link #parse} itself stays strict.
   */
  public static HfSource parseOrBare(String source) {
    if (isBare(source)) {
      return parseHf(source, source.strip());
    }
    return parse(source);
  }

  /** Whether {@code source} looks like a bare {@code owner/name}: a {@code /}, no scheme. */
  public static boolean isBare(String source) {
    return source != null && source.indexOf('/') > 0 && !source.contains("://");
  }

  private static HfSource parseHf(String source, String rest) {
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1);
    }
    int at = rest.indexOf('@');
    String repo = at < 0 ? rest : rest.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : rest.substring(at + 1);
    if (at >= 0 && revision.isEmpty()) {
      throw invalid("source '" + echo(source) + "' has an empty revision after '@'");
    }
    return checked(source, repo, revision);
  }

  private static HfSource parseUrl(String source, String s) {
    URI url;
    try {
      url = new URI(s);
    } catch (URISyntaxException e) {
      throw invalid("source '" + echo(source) + "' is not a valid URL (" + e.getReason() + ")");
    }
    String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
    if (!HUB_HOSTS.contains(host)) {
      throw invalid(
          "source '" + echo(source) + "' is not on huggingface.co (host '" + echo(host) + "')");
    }
    List<String> segments = new ArrayList<>();
    String rawPath = url.getRawPath() == null ? "" : url.getRawPath();
    for (String segment : rawPath.split("/")) {
      if (!segment.isEmpty()) {
        segments.add(segment);
      }
    }
    if (!segments.isEmpty() && NON_MODEL_PREFIXES.contains(segments.getFirst())) {
      throw invalid(
          "source '"
              + echo(source)
              + "' is a "
              + segments.getFirst().substring(0, segments.getFirst().length() - 1)
              + " page, not a model repo");
    }
    if (segments.size() == 2) {
      return checked(source, segments.get(0) + "/" + segments.get(1), DEFAULT_REVISION);
    }
    if (segments.size() == 4 && segments.get(2).equals("tree")) {
      String revision = decode(source, segments.get(3));
      return checked(source, segments.get(0) + "/" + segments.get(1), revision);
    }
    throw invalid(
        "source '"
            + echo(source)
            + "' is not a model page: the path must be /owner/name or /owner/name/tree/revision"
            + " (a revision containing '/' is written %2F, and subfolders are not supported)");
  }

  private static HfSource checked(String source, String repo, String revision) {
    String problem = repoProblem(repo);
    if (problem == null) {
      problem = revisionProblem(revision);
    }
    if (problem != null) {
      throw invalid("source '" + echo(source) + "': " + problem);
    }
    return new HfSource(repo, revision);
  }

  /** What is wrong with a repo id, or null when it is fine. */
  private static String repoProblem(String repo) {
    if (repo == null || repo.isEmpty()) {
      return "repo is empty, expected owner/name";
    }
    int slash = repo.indexOf('/');
    if (slash < 0 || slash != repo.lastIndexOf('/')) {
      return "repo '" + echo(repo) + "' must be exactly owner/name";
    }
    String problem = partProblem("owner", repo.substring(0, slash));
    if (problem == null) {
      problem = partProblem("name", repo.substring(slash + 1));
    }
    if (problem == null && repo.endsWith(".git")) {
      problem = "repo name must not end in '.git'";
    }
    return problem == null ? null : "repo '" + echo(repo) + "': " + problem;
  }

  private static String partProblem(String what, String part) {
    if (part.isEmpty()) {
      return what + " is empty";
    }
    if (part.length() > MAX_PART_CHARS) {
      return what + " is " + part.length() + " characters long, at most " + MAX_PART_CHARS;
    }
    if (!PART_CHARS.matcher(part).matches()) {
      return what + " may only contain letters, digits, '-', '_' and '.'";
    }
    if (part.contains("..") || part.contains("--")) {
      return what + " must not contain '..' or '--'";
    }
    if (!PART.matcher(part).matches()) {
      return what + " must start and end with a letter, a digit or '_'";
    }
    return null;
  }

  /** What is wrong with a revision, or null when it is fine (see the class comment). */
  private static String revisionProblem(String revision) {
    if (revision == null || revision.isEmpty()) {
      return "revision is empty";
    }
    if (revision.length() > MAX_REVISION_CHARS) {
      return "revision is " + revision.length() + " characters long, at most " + MAX_REVISION_CHARS;
    }
    String quoted = "revision '" + echo(revision) + "'";
    if (!REVISION.matcher(revision).matches()) {
      return quoted + " may only contain letters, digits, '-', '_', '.' and '/'";
    }
    if (revision.startsWith("-")) {
      return quoted + " must not start with '-'";
    }
    if (revision.contains("..")
        || revision.contains("//")
        || revision.startsWith("/")
        || revision.endsWith("/")) {
      return quoted + " must not contain '..' or '//' nor start or end with '/'";
    }
    for (String part : revision.split("/")) {
      if (part.startsWith(".")) {
        return quoted + ": each part must not start with '.'";
      }
      if (part.endsWith(".lock")) {
        return quoted + ": each part must not end with '.lock'";
      }
    }
    if (revision.endsWith(".")) {
      return quoted + " must not end with '.'";
    }
    return null;
  }

  private static String decode(String source, String segment) {
    try {
      // URLDecoder is for forms, where '+' means space; in a path '+' is itself.
      return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("source '" + echo(source) + "' has a malformed %-escape in its revision");
    }
  }

  private static IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException(problem + "; " + ACCEPTED_FORMS);
  }

  /**
   * At most {@link #MAX_ECHO_CHARS} characters of a rejected value, control and format characters
   * (terminal escapes, bidi overrides) shown as {@code ?}: the message reaches clients and logs.
   */
  public static String echo(String input) {
    String cut = input.length() <= MAX_ECHO_CHARS ? input : input.substring(0, MAX_ECHO_CHARS);
    StringBuilder out = new StringBuilder(cut.length() + 1);
    // A lone surrogate (a pair cut in two, or one sent alone) cannot be written as UTF-8.
    cut.codePoints()
        .forEach(
            c -> {
              int type = Character.getType(c);
              boolean unsafe =
                  Character.isISOControl(c)
                      || type == Character.FORMAT
                      || type == Character.SURROGATE;
              out.appendCodePoint(unsafe ? '?' : c);
            });
    return cut.length() < input.length() ? out.append('…').toString() : out.toString();
  }
}
