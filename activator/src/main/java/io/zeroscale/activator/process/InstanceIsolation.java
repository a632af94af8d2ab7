package io.zeroscale.activator.process;

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
 *   <li>{@code HOME} = the instance's own directory (0700) and {@code TMPDIR} = its {@code tmp};
 *   <li>{@code VLLM_API_KEY} = the instance's engine key (by environment: a command line is
 *       world-readable in {@code /proc/<pid>/cmdline}), and {@code HF_TOKEN} = the plan's token
 *       (the tenant's) when it has one; else the platform's own {@code HF_TOKEN} when the plan
 *       allows it ({@code platformToken}: an unverified import, and the operator set {@code
 *       zeroscale.models.platform-token-for-unverified}) or when the operator listed {@code
 *       HF_TOKEN} in {@code pass-env} (a blanket choice for every instance); else none.
 * </ul>
 *
 * @param passEnv names (or {@code PREFIX*} patterns) the operator lets through besides the base
 * @param hostEnv the activator's environment, where the passed values come from
 * @param runAs the OS user instances run as, or null for the activator's own user
 */
public record InstanceIsolation(List<String> passEnv, Map<String, String> hostEnv, RunAs runAs) {

  /** What every instance may get from the host: what a process needs to find programs and text. */
  public static final List<String> BASE_ENV = List.of("PATH", "LANG", "LANGUAGE", "LC_*", "TZ");

  /** The variables the runtime sets itself; {@code pass-env} cannot override them. */
  public static final Set<String> SET_BY_RUNTIME =
      Set.of("HOME", "TMPDIR", "VLLM_API_KEY", "HF_TOKEN");

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*\\*?");

  /** Directories: owner only. */
  static final FileAttribute<Set<PosixFilePermission>> DIR_0700 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** Files: owner read and write only. */
  static final FileAttribute<Set<PosixFilePermission>> FILE_0600 =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  public InstanceIsolation {
    passEnv = List.copyOf(passEnv);
    hostEnv = Map.copyOf(hostEnv);
    for (String name : passEnv) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "zeroscale.runtime.process.pass-env: '"
                + name
                + "' is not a variable name (letters, digits, _; a trailing * matches a prefix)");
      }
    }
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
      if (!SET_BY_RUNTIME.contains(e.getKey()) && matchesAny(e.getKey(), allowed)) {
        env.put(e.getKey(), e.getValue());
      }
    }
    if ((platformToken || passEnv.contains("HF_TOKEN")) && hostEnv.containsKey("HF_TOKEN")) {
      // Allowed for this plan, or listed by the operator: the platform's token, unless the plan
      // has the tenant's own.
      env.put("HF_TOKEN", hostEnv.get("HF_TOKEN"));
    }
    env.put("HOME", home.toString());
    env.put("TMPDIR", home.resolve("tmp").toString());
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
