package io.zeroscale.billing.usage;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.zeroscale.billing.invoice.Invoice;
import io.zeroscale.billing.ledger.Charge;
import io.zeroscale.billing.ledger.Charges;
import io.zeroscale.billing.ledger.LedgerEntry;
import io.zeroscale.billing.limit.SpendLimitStatus;
import io.zeroscale.gateway.web.ApiJson;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's usage within {@code [from, to)} as of {@code asOf} ({@code GET /api/v1/usage}): what
 * each instance ran and was billed, summed per deployment. {@link #of} is a pure function of the
 * ledger entries; the records are the response body (field names and order as documented in
 * docs/api.md).
 *
 * @param spendLimit the tenant's spend limit this month, or null without one
 */
@ApiJson
@JsonPropertyOrder({
  "object",
  "from",
  "to",
  "as_of",
  "currency",
  "total_cost_usd",
  "deployments",
  "instances",
  "spend_limit"
})
public record UsageReport(
    Instant from,
    Instant to,
    Instant asOf,
    BigDecimal totalCostUsd,
    List<DeploymentUsage> deployments,
    List<InstanceUsage> instances,
    SpendLimitStatus spendLimit) {

  public UsageReport {
    deployments = List.copyOf(deployments);
    instances = List.copyOf(instances);
  }

  @JsonProperty("object")
  public String object() {
    return "usage";
  }

  @JsonProperty("currency")
  public String currency() {
    return Invoice.CURRENCY;
  }

  /**
   * The report: every entry charged something within the range becomes an instance line, and the
   * lines of a deployment add up to its line (costs summed exactly, rounded once at the cent).
   *
   * @param idlePaid cumulative idle-but-paid seconds by deployment id, as the autoscaler writes
   *     them (a missing or malformed value is 0)
   */
  public static UsageReport of(
      List<LedgerEntry> entries,
      Map<String, String> idlePaid,
      SpendLimitStatus spendLimit,
      Instant from,
      Instant to,
      Instant now) {
    List<InstanceUsage> instances = new ArrayList<>();
    Map<UUID, List<InstanceUsage>> byDeployment = new LinkedHashMap<>();
    for (LedgerEntry e : entries) {
      Charge c = Charges.in(e, from, to, now);
      if (c.isZero()) {
        continue;
      }
      InstanceUsage i = new InstanceUsage(e, c);
      instances.add(i);
      byDeployment.computeIfAbsent(e.deploymentId(), k -> new ArrayList<>()).add(i);
    }
    List<DeploymentUsage> deployments = new ArrayList<>();
    long total = 0;
    for (List<InstanceUsage> group : byDeployment.values()) {
      DeploymentUsage d = DeploymentUsage.of(group, idlePaid);
      total = Math.addExact(total, d.cost());
      deployments.add(d);
    }
    return new UsageReport(
        from, to, now, Charges.costUsd(total), deployments, instances, spendLimit);
  }

  /**
   * What a line was charged, the fields an instance's line and a deployment's line share: GPU
   * seconds run, billed (with the minimum top-up) and in hours, and the cost.
   */
  public interface ChargeLine {

    /** The GPU-seconds run and billed. */
    @JsonIgnore
    Charge charge();

    /** Exact cost in µ$ (see {@link Charges#cost}). */
    @JsonIgnore
    long cost();

    @JsonProperty("gpu_seconds")
    default long gpuSeconds() {
      return charge().runtimeGpuSeconds();
    }

    @JsonProperty("billed_gpu_seconds")
    default long billedGpuSeconds() {
      return charge().billedGpuSeconds();
    }

    @JsonProperty("billed_gpu_hours")
    default BigDecimal billedGpuHours() {
      return Charges.hours(charge().billedGpuSeconds());
    }

    @JsonProperty("minimum_top_up_gpu_seconds")
    default long minimumTopUpGpuSeconds() {
      return charge().topUpGpuSeconds();
    }

    @JsonProperty("cost_usd")
    default BigDecimal costUsd() {
      return Charges.costUsd(cost());
    }
  }

  /** One instance's share of the range. */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({
    "instance_id",
    "deployment_id",
    "deployment",
    "gpu",
    "num_gpus",
    "started_at",
    "ended_at",
    "running",
    "gpu_seconds",
    "billed_gpu_seconds",
    "billed_gpu_hours",
    "minimum_top_up_gpu_seconds",
    "rate_usd_per_gpu_hour",
    "cost_usd"
  })
  public record InstanceUsage(@JsonIgnore LedgerEntry entry, @JsonIgnore Charge charge)
      implements ChargeLine {

    /** Exact cost: billed GPU-seconds × µ$ per GPU-hour (see {@link Charges#cost}). */
    @Override
    @JsonIgnore
    public long cost() {
      return Charges.cost(charge.billedGpuSeconds(), entry.microsPerGpuHour());
    }

    @JsonProperty("instance_id")
    public String instanceId() {
      return entry.instanceId();
    }

    @JsonProperty("deployment_id")
    public String deploymentId() {
      return entry.deploymentId().toString();
    }

    @JsonProperty("deployment")
    public String deployment() {
      return entry.deploymentName();
    }

    @JsonProperty("gpu")
    public String gpu() {
      return entry.gpu();
    }

    @JsonProperty("num_gpus")
    public int numGpus() {
      return entry.numGpus();
    }

    @JsonProperty("started_at")
    public String startedAt() {
      return entry.startedAt().toString();
    }

    @JsonProperty("ended_at")
    public String endedAt() {
      return entry.endedAt() == null ? null : entry.endedAt().toString();
    }

    @JsonProperty("running")
    public boolean running() {
      return entry.endedAt() == null;
    }

    @JsonProperty("rate_usd_per_gpu_hour")
    public BigDecimal rateUsdPerGpuHour() {
      return Charges.usd(entry.microsPerGpuHour());
    }
  }

  /**
   * One deployment's instances added up.
   *
   * @param cost exact cost of its instances (see {@link Charges#cost})
   * @param idlePaidSeconds idle-but-paid seconds the autoscaler counted for it (cumulative)
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  @JsonPropertyOrder({
    "deployment_id",
    "deployment",
    "gpu",
    "instances",
    "gpu_seconds",
    "billed_gpu_seconds",
    "billed_gpu_hours",
    "minimum_top_up_gpu_seconds",
    "cost_usd",
    "idle_paid_seconds"
  })
  public record DeploymentUsage(
      @JsonIgnore UUID id,
      @JsonProperty("deployment") String deployment,
      @JsonProperty("gpu") String gpu,
      @JsonProperty("instances") long instances,
      @JsonIgnore Charge charge,
      @JsonIgnore long cost,
      @JsonProperty("idle_paid_seconds") BigDecimal idlePaidSeconds)
      implements ChargeLine {

    static DeploymentUsage of(List<InstanceUsage> group, Map<String, String> idlePaid) {
      LedgerEntry first = group.getFirst().entry();
      Charge sum = Charge.ZERO;
      long cost = 0;
      for (InstanceUsage i : group) {
        sum = sum.plus(i.charge());
        cost = Math.addExact(cost, i.cost());
      }
      return new DeploymentUsage(
          first.deploymentId(),
          first.deploymentName(),
          first.gpu(),
          group.size(),
          sum,
          cost,
          seconds(idlePaid.get(first.deploymentId().toString())));
    }

    @JsonProperty("deployment_id")
    public String deploymentId() {
      return id.toString();
    }

    private static BigDecimal seconds(String s) {
      if (s == null) {
        return BigDecimal.ZERO;
      }
      try {
        return new BigDecimal(s.trim());
      } catch (NumberFormatException e) {
        return BigDecimal.ZERO;
      }
    }
  }
}
