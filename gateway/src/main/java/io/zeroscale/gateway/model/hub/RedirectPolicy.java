package io.zeroscale.gateway.model.hub;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which redirects the hub client follows. The hub redirects for good reasons (a renamed repo: a 307
 * to the new name on the same host; a large file: a 302 to its CDN, {@code cdn-lfs.hf.co} or {@code
 * cas-bridge.xethub.hf.co}), but a hub that is hostile, hijacked or misconfigured could point the
 * gateway anywhere, e.g. at {@code http://169.254.169.254/} (cloud metadata) or an internal admin
 * port, with the gateway's network position. So a {@code Location} is followed only to:
 *
 * <ul>
 *   <li>the configured hub itself: same scheme, host and port as {@code zeroscale.hub.url} (so a
 *       mirror or the stand-in hub over http keeps working), or
 *   <li>https on the default port to {@code huggingface.co}, {@code hf.co} or a subdomain of
 *       either, without user information in the URL,
 * </ul>
 *
 * <p>and, unless its host is the configured hub's own host, only when every address the host
 * resolves to is public ({@link #isPublic}): an allowed name that resolves to a private address is
 * refused. An IP literal is never an allowed name, so it needs no lookup. At most {@link #MAX_HOPS}
 * redirects are followed in one request.
 *
 * <p>Pure: the client does the resolving (off the event loop) and asks {@link #addressProblem}.
 */
public final class RedirectPolicy {

  /** The hub's own chains are 1 hop (rename) or 2 (rename, then CDN); 5 leaves room. */
  public static final int MAX_HOPS = 5;

  /** Allowed hosts besides the configured hub: these and their subdomains. */
  private static final List<String> HUB_DOMAINS = List.of("huggingface.co", "hf.co");

  /** Longer locations are refused unread: signed CDN URLs are about 1 500 characters. */
  private static final int MAX_LOCATION_CHARS = 4096;

  private final String hubScheme;
  private final String hubHost;
  private final int hubPort;

  /**
   * @param hub the configured hub's base URL, absolute http(s)
   */
  public RedirectPolicy(URI hub) {
    this.hubScheme = lower(hub.getScheme());
    this.hubHost = lower(hub.getHost());
    this.hubPort = port(hubScheme, hub.getPort());
  }

  /** What to do with a redirect. */
  public sealed interface Decision {

    /**
     * Follow it.
     *
     * @param target absolute
     * @param toHub whether the target is the configured hub itself: only then is the HF token sent
     */
    record Follow(URI target, boolean toHub) implements Decision {}

    /**
     * Do not follow it.
     *
     * @param reason for the tenant, e.g. {@code only https is followed (got 'http')}
     */
    record Refuse(String reason) implements Decision {}
  }

  /**
   * Checks the {@code Location} of an answer to {@code from}; a relative one is resolved against
   * it.
   */
  public Decision check(URI from, String location) {
    if (location == null || location.isBlank() || location.length() > MAX_LOCATION_CHARS) {
      return new Decision.Refuse("its location is not a valid URL");
    }
    URI target;
    try {
      target = from.resolve(new URI(location.strip()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      return new Decision.Refuse("its location is not a valid URL");
    }
    String scheme = lower(target.getScheme());
    String host = lower(target.getHost());
    int port = port(scheme, target.getPort());
    if (target.getRawUserInfo() != null) {
      return new Decision.Refuse("its location carries user information");
    }
    if (!host.isEmpty() && scheme.equals(hubScheme) && host.equals(hubHost) && port == hubPort) {
      return new Decision.Follow(target, true);
    }
    if (!scheme.equals("https")) {
      return new Decision.Refuse(
          "only https is followed outside the hub itself (got '"
              + HfSource.echo(scheme.isEmpty() ? "none" : scheme)
              + "')");
    }
    if (host.isEmpty()) {
      return new Decision.Refuse("its location is not a valid URL");
    }
    if (!onHubDomain(host)) {
      return new Decision.Refuse(
          "host '"
              + HfSource.echo(host)
              + "' is neither the hub itself nor on huggingface.co or hf.co");
    }
    if (port != 443) {
      return new Decision.Refuse("port " + port + " is not the https port");
    }
    return new Decision.Follow(target, false);
  }

  /** Whether a target's addresses must be checked: all but the configured hub's own host. */
  public boolean needsAddressCheck(URI target) {
    return !lower(target.getHost()).equals(hubHost);
  }

  /**
   * Why {@code host} must not be connected to, given what it resolved to; empty when every address
   * is public. The addresses are not named: they would tell a tenant about the internal network.
   */
  public static Optional<String> addressProblem(String host, List<InetAddress> addresses) {
    if (addresses.isEmpty()) {
      return Optional.of("host '" + HfSource.echo(host) + "' has no address");
    }
    if (addresses.stream().allMatch(RedirectPolicy::isPublic)) {
      return Optional.empty();
    }
    return Optional.of(
        "host '" + HfSource.echo(host) + "' resolves to a private, loopback or link-local address");
  }

  /**
   * Whether an address is on the public internet: not unspecified, loopback, link-local (which
   * holds cloud metadata, 169.254.169.254), private (10/8, 172.16/12, 192.168/16, fc00::/7),
   * carrier-grade NAT (100.64/10, where some clouds put metadata too), multicast, broadcast or
   * reserved (0/8, 240/4). An IPv6 address that embeds an IPv4 one ({@code ::a.b.c.d}) is judged by
   * the IPv4 one; Java already turns {@code ::ffff:a.b.c.d} into an IPv4 address. NAT64 ({@code
   * 64:ff9b::/32}, holding the well-known {@code 64:ff9b::/96} and the local-use {@code
   * 64:ff9b:1::/48}) and 6to4 ({@code 2002::/16}) are never public: a gateway translates them into
   * IPv4 addresses that may well be internal ones.
   */
  public static boolean isPublic(InetAddress address) {
    if (address.isAnyLocalAddress()
        || address.isLoopbackAddress()
        || address.isLinkLocalAddress()
        || address.isSiteLocalAddress()
        || address.isMulticastAddress()) {
      return false;
    }
    byte[] b = address.getAddress();
    if (address instanceof Inet4Address) {
      int first = b[0] & 0xFF;
      int second = b[1] & 0xFF;
      boolean carrierNat = first == 100 && (second & 0xC0) == 64;
      return first != 0 && first < 240 && !carrierNat;
    }
    if (address instanceof Inet6Address) {
      if ((b[0] & 0xFE) == 0xFC) {
        return false;
      }
      boolean sixToFour = b[0] == 0x20 && b[1] == 0x02;
      boolean nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B;
      if (sixToFour || nat64) {
        return false;
      }
      boolean embedsIpv4 = true;
      for (int i = 0; i < 12; i++) {
        embedsIpv4 &= b[i] == 0;
      }
      if (embedsIpv4) {
        byte[] v4 = {b[12], b[13], b[14], b[15]};
        try {
          return isPublic(InetAddress.getByAddress(v4));
        } catch (UnknownHostException e) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean onHubDomain(String host) {
    return HUB_DOMAINS.stream().anyMatch(d -> host.equals(d) || host.endsWith("." + d));
  }

  private static int port(String scheme, int port) {
    if (port >= 0) {
      return port;
    }
    return scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
  }

  private static String lower(String s) {
    return s == null ? "" : s.toLowerCase(Locale.ROOT);
  }
}
