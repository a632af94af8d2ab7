package io.zeroscale.activator.process;

import io.zeroscale.api.redis.S3Access;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What an instance of the process runtime gets from the host: an explicit environment instead of
 * the activator's (which holds {@code ZEROSCALE_ADMIN_KEY}, database passwords, the platform's
 * {@code HF_TOKEN}), private files, and optionally another OS user.
 *
 * <p>The environment of an instance is exactly:
 *
 * <ul>
 *   <li>{@link #BASE_ENV} ({@code PATH}, {@code LANG}, {@code LANGUAGE}, {@code LC_*}, {@code TZ})
 *       and the operator's {@code pass-env} names (a trailing {@code *} matches a prefix, e.g.
 *       {@code CUDA_*}), each only if the activator has it;
 *   <li>{@code HOME} = the instance's own directory (0700), {@code TMPDIR} = its {@code tmp}, and
 *       {@code HF_HOME} = its {@code hf} (a private Hugging Face cache, so no instance reads the
 *       server's {@code token} file), unless the operator lists {@code HF_HOME} by name in {@code
 *       pass-env} and the activator has it (then every instance shares that cache and its {@code
 *       token} file);
 *   <li>{@code VLLM_API_KEY} = the instance's engine key (by environment: a command line is
 *       world-readable in {@code /proc/<pid>/cmdline}), and {@code HF_TOKEN} = the plan's token
 *       (the tenant's) when it has one; else the platform's own {@code HF_TOKEN} only when the plan
 *       allows it ({@code platformToken}: an unverified import, and the operator set {@code
 *       zeroscale.models.platform-token-for-unverified}); else none. The plan's rule always wins:
 *       {@code HF_TOKEN} cannot be listed in {@code pass-env};
 *   <li>never the activator's own {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code
 *       AWS_SESSION_TOKEN}, {@code AWS_REGION}, {@code AWS_ENDPOINT_URL}, {@code
 *       AWS_EC2_METADATA_DISABLED} (issue #20: they could be the server's cloud credentials), even
 *       when listed in {@code pass-env}: the runtime sets them from an S3 model's plan ({@link
 *       S3Access#environment()}) and only then. {@code AWS_} is a reserved prefix: a pattern that
 *       could match it ({@code A*}, {@code AWS_*}) is refused, other {@code AWS_*} names pass only
 *       when named exactly.
 * </ul>
 *
 * <p>The {@code pass-env} check ({@link #checkPassEnv}, at start-up): a {@code PREFIX*} pattern is
 * refused when a reserved or secret-looking name ({@link #isSensitive}) could match it: its prefix
 * is the beginning of a reserved prefix ({@code Z*}, {@code S*}, {@code SPR*}, {@code J*}, {@code
 * _*}) or starts with one ({@code ZEROSCALE_*}, {@code SPRING_*}), contains a secret word ({@code
 * TOKEN}, {@code PASSWORD}, {@code SECRET}, {@code KEY}, {@code CREDENTIAL}) or ends with the
 * beginning of one ({@code HF_TOK*}, {@code MY_K*}). A name a pattern matches only because a secret
 * word follows the prefix ({@code CUDA_TOKEN} for {@code CUDA_*}, {@code HUGGING_FACE_HUB_TOKEN} or
 * {@code HF_TOKEN_PATH} for {@code HF_*}) is dropped at launch. Exact names are allowed, the
 * operator names them on purpose, except {@code ZEROSCALE_*} ones and {@code HF_TOKEN}.
 *
 * @param passEnv names (or {@code PREFIX*} patterns) the operator lets through besides the base
 * @param hostEnv the activator's environment, where the passed values come from
 * @param runAs the OS user instances run as, or null for the activator's own user
 */
public record InstanceIsolation(List<String> passEnv, Map<String, String> hostEnv, RunAs runAs) {

  /** What every instance may get from the host: what a process needs to find programs and text. */
  public static final List<String> BASE_ENV = List.of("PATH", "LANG", "LANGUAGE", "LC_*", "TZ");

  /**
   * The variables the runtime sets itself; {@code pass-env} cannot override them, and the host's
   * never pass (the {@code AWS_*} ones come only from an S3 model's plan).
   */
  public static final Set<String> SET_BY_RUNTIME =
      Set.of(
          "HOME",
          "TMPDIR",
          "VLLM_API_KEY",
          "HF_TOKEN",
          S3Access.ACCESS_KEY_ID,
          S3Access.SECRET_ACCESS_KEY,
          S3Access.SESSION_TOKEN,
          S3Access.REGION,
          S3Access.ENDPOINT_URL,
          S3Access.EC2_METADATA_DISABLED);

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*?");

  /** Cloud credentials' variables: the host's reach an instance only when named exactly. */
  static final String AWS_PREFIX = "AWS_";

  /**
   * Names starting with one of these belong to the server (its settings, the JVM's options, its
   * cloud credentials).
   */
  static final List<String> RESERVED_PREFIXES =
      List.of(
          "ZEROSCALE_",
          "SPRING_",
          "JAVA_TOOL_OPTIONS",
          "JDK_JAVA_OPTIONS",
          "_JAVA_OPTIONS",
          AWS_PREFIX);

  /** Names containing one of these look like secrets. */
  static final List<String> SECRET_WORDS =
      List.of("TOKEN", "PASSWORD", "SECRET", "KEY", "CREDENTIAL");

  private static final String SETTING = "zeroscale.runtime.process.pass-env";

  /** Directories: owner only. */
  static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** Files: owner read and write only. */
  static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  public InstanceIsolation {
    passEnv = List.copyOf(passEnv);
    hostEnv = Map.copyOf(hostEnv);
    checkPassEnv(passEnv);
  }

  /**
   * Checks {@code zeroscale.runtime.process.pass-env} (see the class comment).
   *
   * @throws IllegalArgumentException naming the setting and the refused entry
   */
  public static void checkPassEnv(List<String> passEnv) {
    for (String name : passEnv) {
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            SETTING
                + ": '"
                + name
                + "' is not a variable name (letters, digits, _; a trailing * matches a prefix)");
      }
      String upper = name.toUpperCase(Locale.ROOT);
      if (upper.startsWith("ZEROSCALE_")) {
        throw new IllegalArgumentException(
            SETTING + ": '" + name + "' is refused: ZEROSCALE_* variables are the server's own");
      }
      if (upper.equals("HF_TOKEN")) {
        throw new IllegalArgumentException(
            SETTING
                + ": 'HF_TOKEN' is refused: an instance gets the tenant's token of its plan, or the"
                + " platform's only for an unverified import with"
                + " zeroscale.models.platform-token-for-unverified=true, never the platform's"
                + " instead");
      }
      if (name.endsWith("*")) {
        String prefix = upper.substring(0, upper.length() - 1);
        String why = sensitivePrefix(prefix);
        if (why != null) {
          throw new IllegalArgumentException(
              SETTING
                  + ": the pattern '"
                  + name
                  + "' is refused: it could match "
                  + why
                  + "; name such variables exactly instead");
        }
      }
    }
  }

  /** Why a name starting with this prefix could be reserved or secret-looking, or null. */
  private static String sensitivePrefix(String prefix) {
    for (String reserved : RESERVED_PREFIXES) {
      if (reserved.startsWith(prefix) || prefix.startsWith(reserved)) {
        return "the server's " + reserved + "* variables";
      }
    }
    for (String word : SECRET_WORDS) {
      for (int i = 1; i <= word.length(); i++) {
        if (prefix.endsWith(word.substring(0, i)) || prefix.contains(word)) {
          return "secret-looking names (containing " + word + ")";
        }
      }
    }
    return null;
  }

  /** Whether a name is reserved or looks like a secret (then only an exact entry passes it). */
  static boolean isSensitive(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (String reserved : RESERVED_PREFIXES) {
      if (upper.startsWith(reserved)) {
        return true;
      }
    }
    for (String word : SECRET_WORDS) {
      if (upper.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The default: the base allowlist only, from this JVM's environment, as this JVM's user. */
  public static InstanceIsolation defaults() {
    return new InstanceIsolation(List.of(), System.getenv(), null);
  }

  /**
   * The environment of one instance (see the class comment).
   *
   * @param home the instance's directory
   * @param engineKey its engine API key, or null
   * @param hfToken its Hugging Face token, or null
   */
  public Map<String, String> environment(Path home, String engineKey, String hfToken) {
    return environment(home, engineKey, hfToken, false);
  }

  /**
   * The environment of one instance (see the class comment).
   *
   * @param home the instance's directory
   * @param engineKey its engine API key, or null
   * @param hfToken its Hugging Face token (the tenant's), or null
   * @param platformToken whether, without a token of the tenant, it gets the activator's own {@code
   *     HF_TOKEN}
   */
  public Map<String, String> environment(
      Path home, String engineKey, String hfToken, boolean platformToken) {
    List<String> allowed = new ArrayList<>(BASE_ENV);
    allowed.addAll(passEnv);
    Map<String, String> env = new TreeMap<>();
    for (var e : hostEnv.entrySet()) {
      String name = e.getKey();
      if (SET_BY_RUNTIME.contains(name) || name.startsWith("ZEROSCALE_")) {
        continue;
      }
      // A reserved or secret-looking name (HUGGING_FACE_HUB_TOKEN, HF_TOKEN_PATH, CUDA_TOKEN for
      // CUDA_*) passes only when named exactly.
      if (passEnv.contains(name) || (matchesAny(name, allowed) && !isSensitive(name))) {
        env.put(name, e.getValue());
      }
    }
    if (platformToken && hfToken == null && hostEnv.containsKey("HF_TOKEN")) {
      // The plan allows the platform's token (never the platform's instead of a tenant's).
      env.put("HF_TOKEN", hostEnv.get("HF_TOKEN"));
    }
    env.put("HOME", home.toString());
    env.put("TMPDIR", home.resolve("tmp").toString());
    if (!(passEnv.contains("HF_HOME") && hostEnv.containsKey("HF_HOME"))) {
      // Its own cache: the server's (HF_HOME or ~/.cache/huggingface) holds its `token` file.
      env.put("HF_HOME", home.resolve("hf").toString());
    }
    if (engineKey != null) {
      env.put("VLLM_API_KEY", engineKey);
    }
    if (hfToken != null) {
      env.put("HF_TOKEN", hfToken);
    }
    return env;
  }

  private static boolean matchesAny(String name, List<String> patterns) {
    for (String p : patterns) {
      if (p.endsWith("*") ? name.startsWith(p.substring(0, p.length() - 1)) : name.equals(p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The state directory's mode: 0700; 0711 when instances run as another user, who must traverse it
   * to reach its own directory (it still cannot list it or read the state files and logs).
   */
  public String stateDirPermissions() {
    return runAs == null ? "rwx------" : "rwx--x--x";
  }

  /** The command as it is run: behind {@code setpriv} when instances run as another user. */
  public List<String> wrap(List<String> command) {
    if (runAs == null) {
      return command;
    }
    List<String> out = new ArrayList<>(runAs.prefix());
    out.addAll(command);
    return List.copyOf(out);
  }

  /**
   * Creates an instance's directory (0700, with its {@code tmp}), owned by the instance's user when
   * it runs as another one.
   */
  Path createHome(Path dir) throws IOException {
    Files.createDirectory(dir, DIR_0700);
    Path tmp = Files.createDirectory(dir.resolve("tmp"), DIR_0700);
    if (runAs != null) {
      for (Path p : List.of(dir, tmp)) {
        Files.setAttribute(p, "unix:uid", runAs.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", runAs.gid(), LinkOption.NOFOLLOW_LINKS);
      }
    }
    return dir;
  }

  /**
   * An OS user to run instances as, through {@code setpriv} (util-linux): real and effective uid
   * and gid, the user's supplementary groups, and {@code no_new_privs} (no setuid escalation).
   */
  public record RunAs(String user, int uid, int gid) {

    List<String> prefix() {
      return List.of(
          "setpriv", "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--no-new-privs", "--");
    }

    /**
     * Resolves and checks {@code zeroscale.runtime.process.run-as-user} at start-up: the activator
     * must run as root (only root may switch users), the user must exist and {@code setpriv} must
     * be on the PATH.
     *
     * @throws IllegalStateException naming the setting and what is wrong
     */
    public static RunAs resolve(String user) {
      String setting = "zeroscale.runtime.process.run-as-user=" + user;
      if (user.isBlank() || user.startsWith("-")) {
        throw new IllegalStateException(setting + ": not a user name");
      }
      int self;
      try {
        self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      } catch (IOException | UnsupportedOperationException e) {
        throw new IllegalStateException(setting + ": cannot tell this process's uid: " + e, e);
      }
      if (self != 0) {
        throw new IllegalStateException(
            setting
                + " needs the activator to run as root (it runs as uid "
                + self
                + "); unset it to run instances as the activator's own user");
      }
      int uid = id(setting, "-u", user);
      int gid = id(setting, "-g", user);
      if (uid == 0) {
        throw new IllegalStateException(setting + ": instances must not run as root");
      }
      if (run(List.of("setpriv", "--version")) == null) {
        throw new IllegalStateException(setting + ": `setpriv` (util-linux) is not on the PATH");
      }
      return new RunAs(user, uid, gid);
    }

    private static int id(String setting, String flag, String user) {
      String out = run(List.of("id", flag, user));
      if (out == null) {
        throw new IllegalStateException(setting + ": no such user");
      }
      return Integer.parseInt(out.strip());
    }

    /** Stdout of a short command that exited 0, else null. */
    private static String run(List<String> cmd) {
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return null;
        }
        return p.exitValue() == 0 ? out : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
  }
}
