/** One JVM that runs gateway, activator and autoscaler on embedded PostgreSQL and Redis. */
package io.zeroscale.standalone;
