/** The web console at {@code /console/}: static files served from memory, with a strict CSP. */
package io.zeroscale.gateway.console;
