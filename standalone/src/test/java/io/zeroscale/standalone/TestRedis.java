package io.zeroscale.standalone;

import java.io.IOException;
import redis.embedded.RedisServer;

/**
 * An embedded Redis for a test, on 127.0.0.1: not started yet. It never snapshots: without {@code
 * save ""} Redis writes a {@code dump.rdb} at shutdown into the temporary directory embedded-redis
 * unpacks its binary into, and that directory, no longer empty, outlives the test JVM (a CI machine
 * gathered hundreds of them in {@code /tmp}).
 */
final class TestRedis {

  private TestRedis() {}

  static RedisServer on(int port) throws IOException {
    return RedisServer.newRedisServer()
        .bind("127.0.0.1")
        .port(port)
        .setting("save \"\"")
        .setting("appendonly no")
        .build();
  }
}
