package bench;

import static bench.Processes.freePort;
import static bench.Util.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The proxy floor of the CPU-bound scenario: Debian's nginx-light as a child process, one process
 * that is its own worker ({@code master_process off}, so the pid we start is the one whose CPU we
 * read), with upstream keep-alive and unbuffered responses (SSE passes event by event), its config,
 * pid, error log and temp files in the run's work dir.
 */
final class Nginx {
  private Nginx() {}

  static Hop start(Run run, String upstreamHost, int upstreamPort, String engineKey)
      throws Exception {
    int port = freePort();
    Path dir = run.work.resolve("nginx");
    Files.createDirectories(dir.resolve("temp"));
    Path conf = dir.resolve("nginx.conf");
    Files.writeString(conf, config(dir, port, upstreamHost, upstreamPort));
    Path errorLog = dir.resolve("error.log");
    List<String> cmd =
        List.of("nginx", "-p", dir.toString(), "-c", conf.toString(), "-e", errorLog.toString());
    log("starting nginx on port " + port + " (" + conf.getFileName() + " in " + dir + ")");
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("nginx.out").toFile())
            .start();
    run.children.add(p);
    Target t = new Target("nginx", "127.0.0.1", port, engineKey);
    CpuBound.awaitServing(t, p, errorLog);
    return new Hop("nginx", t, p.pid(), "nginx-light, 1 worker, upstream keep-alive");
  }

  /**
   * The config: one process, keep-alive to the upstream (256 idle connections kept, HTTP/1.1 with
   * the Connection header cleared), no buffering (SSE), no access log. keepalive_requests lifted on
   * both sides: its default (1 000) would close every client and upstream connection after 1 000
   * requests, a reconnect every 0.2 s per client at 5 000 rps that direct calls do not pay.
   */
  static String config(Path dir, int port, String upstreamHost, int upstreamPort) {
    return """
        daemon off;
        master_process off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/error.log warn;
        events {
          worker_connections 4096;
        }
        http {
          access_log off;
          client_body_temp_path %1$s/temp/client_body;
          proxy_temp_path %1$s/temp/proxy;
          keepalive_requests 1000000;
          keepalive_timeout 300s;
          upstream sim {
            server %2$s:%3$d;
            keepalive 256;
            keepalive_requests 1000000;
            keepalive_timeout 300s;
          }
          server {
            listen 127.0.0.1:%4$d;
            location / {
              proxy_pass http://sim;
              proxy_http_version 1.1;
              proxy_set_header Connection "";
              proxy_buffering off;
            }
          }
        }
        """
        .formatted(dir, upstreamHost, upstreamPort, port);
  }
}
