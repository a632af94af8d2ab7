package io.zeroscale.billing.invoice;

import io.zeroscale.billing.ledger.Charges;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * An invoice as the documents finance receives: JSON, and CSV (RFC 4180: CRLF line ends, fields
 * quoted when they hold a comma, a quote or a line break; one row per line item, the invoice's
 * number, tenant, period and totals repeated on every row so that rows of many invoices can be
 * concatenated). Both render the same decimals, so they match to the cent.
 */
public final class InvoiceDocuments {

  /** The CSV header. */
  public static final List<String> CSV_COLUMNS =
      List.of(
          "number",
          "tenant",
          "period",
          "status",
          "currency",
          "line_type",
          "usage_period",
          "deployment",
          "deployment_id",
          "gpu",
          "instances",
          "gpu_seconds",
          "billed_gpu_seconds",
          "billed_gpu_hours",
          "minimum_top_up_gpu_hours",
          "rate_usd_per_gpu_hour",
          "amount_usd",
          "subtotal_usd",
          "total_usd");

  private static final String CRLF = "\r\n";

  private final JsonMapper json =
      JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

  /** The invoice as a JSON map, field order fixed. */
  public Map<String, Object> map(Invoice inv) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("object", "invoice");
    m.put("number", inv.number());
    m.put("tenant", inv.tenantName());
    m.put("tenant_id", inv.tenantId().toString());
    m.put("period", inv.period().toString());
    m.put("status", inv.status());
    m.put("currency", Invoice.CURRENCY);
    m.put("period_start", Invoices.start(inv.period()).toString());
    m.put("period_end", Invoices.end(inv.period()).toString());
    m.put("as_of", inv.asOf().toString());
    m.put("lines", inv.lines().stream().map(InvoiceDocuments::line).toList());
    m.put("subtotal_usd", inv.subtotal());
    m.put("total_usd", inv.total());
    return m;
  }

  private static Map<String, Object> line(Invoice.Line l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", l.type());
    m.put("usage_period", l.usagePeriod().toString());
    m.put("deployment", l.deployment());
    m.put("deployment_id", l.deploymentId().toString());
    m.put("gpu", l.gpu());
    m.put("instances", l.instances());
    m.put("gpu_seconds", l.charge().runtimeGpuSeconds());
    m.put("billed_gpu_seconds", l.charge().billedGpuSeconds());
    m.put("billed_gpu_hours", Charges.hours(l.charge().billedGpuSeconds()));
    m.put("minimum_top_up_gpu_seconds", l.charge().topUpGpuSeconds());
    m.put("minimum_top_up_gpu_hours", Charges.hours(l.charge().topUpGpuSeconds()));
    m.put("rate_usd_per_gpu_hour", Charges.usd(l.microsPerGpuHour()));
    m.put("amount_usd", l.amount());
    return m;
  }

  public String json(Invoice inv) {
    return json.writeValueAsString(map(inv));
  }

  /** Several JSON documents as one list, each byte for byte. */
  public static String jsonList(List<String> documents) {
    return "{\"object\":\"list\",\"data\":[" + String.join(",", documents) + "]}";
  }

  /** Header plus one row per line item. */
  public String csv(Invoice inv) {
    return header() + csvRows(inv);
  }

  public static String header() {
    return String.join(",", CSV_COLUMNS) + CRLF;
  }

  /** The rows of one invoice, without the header. */
  public String csvRows(Invoice inv) {
    StringBuilder out = new StringBuilder();
    for (Invoice.Line l : inv.lines()) {
      List<Object> row =
          List.of(
              inv.number(),
              inv.tenantName(),
              inv.period().toString(),
              inv.status(),
              Invoice.CURRENCY,
              l.type(),
              l.usagePeriod().toString(),
              l.deployment() == null ? "" : l.deployment(),
              l.deploymentId().toString(),
              l.gpu(),
              l.instances(),
              l.charge().runtimeGpuSeconds(),
              l.charge().billedGpuSeconds(),
              Charges.hours(l.charge().billedGpuSeconds()),
              Charges.hours(l.charge().topUpGpuSeconds()),
              Charges.usd(l.microsPerGpuHour()),
              l.amount(),
              inv.subtotal(),
              inv.total());
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(field(row.get(i)));
      }
      out.append(CRLF);
    }
    return out.toString();
  }

  /** RFC 4180 quoting. */
  static String field(Object v) {
    String s = v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
    if (s.indexOf(',') >= 0
        || s.indexOf('"') >= 0
        || s.indexOf('\n') >= 0
        || s.indexOf('\r') >= 0) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
