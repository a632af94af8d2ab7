package io.zeroscale.barescg;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Spring Cloud Gateway with nothing of Zeroscale: the route comes from application.yml, its URI
 * from {@code BARE_SCG_UPSTREAM} (the benchmark's simulator). What this process costs per request
 * is what the framework costs, the floor under the Zeroscale gateway's own work.
 */
@SpringBootApplication
public class BareGatewayApplication {
  public static void main(String[] args) {
    SpringApplication.run(BareGatewayApplication.class, args);
  }
}
