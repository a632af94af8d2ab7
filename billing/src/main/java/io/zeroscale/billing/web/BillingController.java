package io.zeroscale.billing.web;

import io.zeroscale.billing.invoice.InvoiceService;
import io.zeroscale.billing.invoice.Invoices;
import io.zeroscale.billing.settings.BillingSettings;
import io.zeroscale.billing.settings.SettingsRules;
import io.zeroscale.billing.settings.SettingsService;
import io.zeroscale.billing.usage.UsageReport;
import io.zeroscale.billing.usage.UsageService;
import io.zeroscale.gateway.auth.Principal;
import io.zeroscale.gateway.error.OpenAiError;
import io.zeroscale.gateway.error.ZeroscaleException;
import io.zeroscale.gateway.web.InputBounds;
import io.zeroscale.gateway.web.JsonBody;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * SPEC §3–§4 billing reads: the tenant's usage, invoices and billing settings ({@code usage:read}),
 * changing those settings ({@code billing:write}), every tenant's invoices for finance ({@code
 * finance} or {@code admin}), and closing a month (the same). Invoices are JSON, or CSV with {@code
 * Accept: text/csv} or {@code ?format=csv}.
 */
@RestController
public class BillingController {

  static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

  /** The longest usage range one call may ask for. */
  private static final Duration MAX_RANGE = Duration.ofDays(366);

  /**
   * The longest time or date text read: {@code 2026-11-01T00:00:00.123456789+01:00} is 35
   * characters. A longer one is refused before it is parsed or quoted.
   */
  static final int MAX_TIME_TEXT = 40;

  private final InvoiceService invoices;
  private final UsageService usage;
  private final SettingsService settings;
  private final Clock clock;

  public BillingController(
      InvoiceService invoices, UsageService usage, SettingsService settings, Clock clock) {
    this.invoices = invoices;
    this.usage = usage;
    this.settings = settings;
    this.clock = clock;
  }

  @GetMapping("/api/v1/billing/settings")
  public Mono<BillingSettings> settings(ServerWebExchange exchange) {
    return settings.settings(Principal.of(exchange).requireUsage());
  }

  /**
   * Changes the tenant's own spend limit and alert threshold ({@code billing:write}); a field
   * absent is kept, null clears it. The administrator's limit is a ceiling (422 above it).
   */
  @PatchMapping("/api/v1/billing/settings")
  public Mono<BillingSettings> patchSettings(
      ServerWebExchange exchange, @RequestBody(required = false) String body) {
    UUID tenant = Principal.of(exchange).requireBillingWrite();
    return settings.update(tenant, SettingsRules.change(JsonBody.parse(body)));
  }

  @GetMapping("/api/v1/usage")
  public Mono<UsageReport> usage(
      ServerWebExchange exchange,
      @RequestParam(name = "from", required = false) String from,
      @RequestParam(name = "to", required = false) String to) {
    UUID tenant = Principal.of(exchange).requireUsage();
    UsageRange range = usageRange(from, to, clock.instant());
    return usage.usage(tenant, range.from(), range.to());
  }

  /** The times a usage read covers. */
  record UsageRange(Instant from, Instant to) {}

  /**
   * {@code ?from=&to=} of a usage read: each an ISO-8601 time or date within {@link
   * InputBounds#storable}; by default the start of this month and now; from before to, at most 366
   * days apart. Each problem is a 422 naming the parameter.
   */
  static UsageRange usageRange(String from, String to, Instant now) {
    Instant f = from == null ? Invoices.start(Invoices.periodOf(now)) : instant("from", from);
    Instant t = to == null ? now : instant("to", to);
    if (!f.isBefore(t)) {
      throw invalid("from", "'from' must be before 'to'.");
    }
    if (Duration.between(f, t).compareTo(MAX_RANGE) > 0) {
      throw invalid("to", "A usage range may span at most 366 days.");
    }
    return new UsageRange(f, t);
  }

  @GetMapping("/api/v1/invoices")
  public Mono<ResponseEntity<String>> invoices(
      ServerWebExchange exchange,
      @RequestParam(name = "period", required = false) String period,
      @RequestParam(name = "format", required = false) String format) {
    UUID tenant = Principal.of(exchange).requireUsage();
    YearMonth p = period == null ? null : period(period);
    boolean csv = csv(exchange, format);
    return invoices.tenantInvoices(tenant, p).map(docs -> list(docs, csv, "invoices"));
  }

  @GetMapping("/api/v1/invoices/{number}")
  public Mono<ResponseEntity<String>> invoice(
      ServerWebExchange exchange,
      @PathVariable("number") String number,
      @RequestParam(name = "format", required = false) String format) {
    UUID tenant = Principal.of(exchange).requireUsage();
    boolean csv = csv(exchange, format);
    return invoices
        .tenantInvoice(tenant, number)
        .map(
            d ->
                csv
                    ? csvResponse(d.csv(), d.number())
                    : ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(d.json()));
  }

  @GetMapping("/admin/v1/invoices")
  public Mono<ResponseEntity<String>> periodInvoices(
      ServerWebExchange exchange,
      @RequestParam(name = "period", required = false) String period,
      @RequestParam(name = "tenant", required = false) String tenant,
      @RequestParam(name = "format", required = false) String format) {
    Principal.of(exchange).requireFinance();
    if (period == null) {
      throw invalid("period", "'period' (YYYY-MM) is required.");
    }
    YearMonth p = period(period);
    boolean csv = csv(exchange, format);
    return tenantFilter(tenant)
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty())
        .flatMap(id -> invoices.periodInvoices(p, id.orElse(null)))
        .map(docs -> list(docs, csv, "invoices-" + p));
  }

  @PostMapping("/admin/v1/invoices/{period}/finalize")
  public Mono<ResponseEntity<String>> finalizePeriod(
      ServerWebExchange exchange, @PathVariable("period") String period) {
    // Closing the books is finance's job; admins may too.
    Principal.of(exchange).requireFinance();
    YearMonth p = period(period);
    return invoices.finalizePeriod(p).map(docs -> list(docs, false, "invoices-" + p));
  }

  /** A tenant named or with that id (deleted ones too: their invoices remain), or 404. */
  private Mono<UUID> tenantFilter(String ref) {
    if (ref == null) {
      return Mono.empty();
    }
    return invoices
        .findTenant(ref)
        .switchIfEmpty(
            Mono.error(
                new ZeroscaleException(
                    OpenAiError.of(
                        404,
                        "No tenant named or with id '" + InputBounds.echo(ref) + "'.",
                        "tenant",
                        "not_found"))));
  }

  private static ResponseEntity<String> list(
      List<InvoiceService.Doc> docs, boolean csv, String filename) {
    if (csv) {
      return csvResponse(InvoiceService.csv(docs), filename);
    }
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .body(InvoiceService.json(docs));
  }

  private static ResponseEntity<String> csvResponse(String body, String filename) {
    return ResponseEntity.ok()
        .contentType(CSV)
        .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + ".csv\"")
        .body(body);
  }

  /** {@code ?format=csv|json} wins; else {@code Accept: text/csv}. */
  static boolean csv(ServerWebExchange exchange, String format) {
    if (format != null) {
      return switch (format) {
        case "csv" -> true;
        case "json" -> false;
        default -> throw invalid("format", "'format' must be 'json' or 'csv'.");
      };
    }
    List<MediaType> accept = exchange.getRequest().getHeaders().getAccept();
    for (MediaType m : accept) {
      if ("text".equals(m.getType()) && "csv".equals(m.getSubtype())) {
        return true;
      }
    }
    return false;
  }

  static YearMonth period(String s) {
    YearMonth p = Invoices.parsePeriod(s);
    if (p == null) {
      throw invalid(
          "period",
          "'period' must be a month as YYYY-MM from 1970-01 to 9998-12, e.g. 2026-11; got '"
              + InputBounds.echo(s)
              + "'.");
    }
    return p;
  }

  /**
   * An ISO-8601 instant ({@code 2026-11-01T00:00:00Z}) or a date (midnight UTC), within {@link
   * InputBounds#storable}: {@code Instant.parse} takes the year +999999999, which the database
   * cannot store.
   */
  static Instant instant(String field, String s) {
    Instant t = null;
    if (s.length() <= MAX_TIME_TEXT) {
      try {
        t =
            s.length() == 10
                ? LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC)
                : Instant.parse(s);
      } catch (DateTimeException e) {
        // Refused below, with the value.
      }
    }
    if (t == null || !InputBounds.storable(t)) {
      throw invalid(
          field,
          "'"
              + field
              + "' must be an ISO-8601 time (2026-11-01T00:00:00Z) or date (2026-11-01) "
              + InputBounds.timeRange()
              + "; got '"
              + InputBounds.echo(s)
              + "'.");
    }
    return t;
  }

  private static ZeroscaleException invalid(String param, String message) {
    return new ZeroscaleException(OpenAiError.of(422, message, param, "invalid_value"));
  }
}
