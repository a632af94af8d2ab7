package io.zeroscale.gateway.deployment;

import static io.zeroscale.gateway.model.Bodies.JSON;
import static io.zeroscale.gateway.model.Bodies.assertError;
import static io.zeroscale.gateway.model.Bodies.body;
import static io.zeroscale.gateway.model.Bodies.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.r2dbc.spi.ConnectionFactory;
import io.zeroscale.api.DeploymentSpec;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.crypto.SecretBox;
import io.zeroscale.api.redis.DeploymentCredentials;
import io.zeroscale.api.testing.MutableClock;
import io.zeroscale.gateway.hardware.HardwareCatalog;
import io.zeroscale.gateway.model.ImportLimits;
import io.zeroscale.gateway.model.ModelService;
import io.zeroscale.gateway.model.ModelStore;
import io.zeroscale.gateway.model.ModelsProperties;
import io.zeroscale.gateway.model.hub.HubClient;
import io.zeroscale.gateway.web.JsonBody;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.r2dbc.connection.R2dbcTransactionManager;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * The rollout use cases of {@link DeploymentService} against a real PostgreSQL: a PATCH that makes
 * a revision (or none), validation as on create, rollback, and the activator's end of a rollout
 * with its automatic rollback. Publications are recorded by a hand-written publisher.
 */
class DeploymentServiceIT {

  static final Duration BLOCK = Duration.ofSeconds(30);
  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
  static final UUID OTHER_TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000a2");
  static final UUID BIG = UUID.fromString("00000000-0000-0000-0000-0000000000b3");

  @TempDir static Path tmp;
  static Postgres pg;
  static int databases;

  @BeforeAll
  static void start() throws Exception {
    pg = Postgres.start(tmp.resolve("pg"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (pg != null) {
      pg.close();
    }
  }

  /** What the service published, in order. */
  static final class RecordingPublisher implements DeploymentPublisher {
    final List<DeploymentSpec> specs = new ArrayList<>();
    final List<String> credentials = new ArrayList<>();

    @Override
    public Mono<Void> changed(DeploymentSpec spec) {
      return Mono.fromRunnable(() -> specs.add(spec));
    }

    @Override
    public Mono<Void> removed(DeploymentSpec spec) {
      return Mono.empty();
    }

    @Override
    public Mono<Set<String>> publishedIds() {
      return Mono.just(Set.of());
    }

    @Override
    public Mono<Void> forget(Collection<String> ids) {
      return Mono.empty();
    }

    @Override
    public Mono<Void> credentials(String deploymentId, DeploymentCredentials c) {
      return Mono.fromRunnable(() -> credentials.add(deploymentId));
    }

    @Override
    public Mono<Map<String, DeploymentCredentials>> publishedCredentials() {
      return Mono.just(Map.of());
    }

    @Override
    public Mono<Void> forgetCredentials(Collection<String> ids) {
      return Mono.empty();
    }
  }

  private final MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");
  private final RecordingPublisher publisher = new RecordingPublisher();
  private DeploymentService service;
  private DeploymentStore store;
  private DataSource ds;
  private ModelService models;

  @BeforeEach
  void database() throws Exception {
    String name = "service" + ++databases;
    ds = pg.database(name);
    Postgres.migrate(ds, "latest");
    DeploymentStoreIT.tenantAndModels(ds, 4);
    Postgres.execute(
        ds,
        "INSERT INTO tenants (id, name, gpu_quota, created_at, updated_at) VALUES ('"
            + OTHER_TENANT
            + "', 'other', 4, now(), now())",
        "INSERT INTO models (id, tenant_id, name, source, repo, revision, family, status, sha,"
            + " weight_bytes, created_at, updated_at) VALUES ('"
            + BIG
            + "', '"
            + TENANT
            + "', 'big', 'hf://o/big@main', 'o/big', 'main', 'llm', 'ready', 'fff',"
            + " 137953316864, now(), now())");
    ConnectionFactory cf = pg.r2dbc(name);
    DatabaseClient db = DatabaseClient.create(cf);
    TransactionalOperator tx = TransactionalOperator.create(new R2dbcTransactionManager(cf));
    models =
        new ModelService(
            new ModelStore(db),
            null,
            new SecretBox(new byte[SecretBox.KEY_BYTES], new SecureRandom()),
            new ImportLimits(
                new ModelsProperties(30, 5, 500, false), HubClient.DEFAULT_TIMEOUT, clock),
            tx,
            clock,
            false);
    store = new DeploymentStore(db);
    service =
        new DeploymentService(
            store,
            models,
            HardwareCatalog.defaults(),
            publisher,
            DeploymentLiveState.NONE,
            tx,
            clock);
  }

  private Deployment create(String singleQuoted) {
    CreateRequest req =
        DeploymentRequests.create(
            body(singleQuoted),
            JSON.readTree(json(singleQuoted)).get("model"),
            HardwareCatalog.defaults());
    return service.create(TENANT, req).block(BLOCK);
  }

  private Deployment patch(Deployment d, String singleQuoted) {
    clock.advance(Duration.ofSeconds(10));
    JsonBody b = body(singleQuoted);
    return service
        .patch(TENANT, d.id().toString(), b, JSON.readTree(json(singleQuoted)).get("model"))
        .block(BLOCK);
  }

  private List<DeploymentRevision> revisions(Deployment d) {
    return service.revisions(d).block(BLOCK);
  }

  @Test
  void createWritesRevisionOneWithItsEngineAndTheSurgeTheQuotaAllows() {
    Deployment d =
        create(
            "{'model_name':'chat','model':'llama','gpu':'A100-80GB','settings':"
                + "{'max_instances':2,'max_surge':3},'engine':{'dtype':'bfloat16',"
                + "'speculative':{'model':'llama-v2','num_speculative_tokens':4}}}");
    assertThat(d.revision()).isEqualTo(1);
    assertThat(d.engine().dtype()).isEqualTo("bfloat16");
    assertThat(d.engine().speculative())
        .as("the draft runs the commit recorded at import")
        .isEqualTo(new EngineOptions.Speculative("hf://o/llama@def", 4));
    // quota 4, max_instances 2 × 1 GPU: room for 2 more, max_surge 3 → surge 2.
    assertThat(d.surge()).isEqualTo(2);
    assertThat(publisher.specs).singleElement().satisfies(s -> assertThat(s.surge()).isEqualTo(2));
    assertThat(revisions(d))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(tuple(1, RevisionStatus.ACTIVE));
    assertError(
        () ->
            create(
                "{'model_name':'c2','model':'llama','gpu':'A100-80GB','engine':"
                    + "{'speculative':{'model':'nope','num_speculative_tokens':4}}}"),
        422,
        "engine.speculative.model",
        "No model 'nope'");
  }

  @Test
  void aPatchOfGpuAndEngineMakesRevisionTwoAndTheSameValuesMakeNone() {
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    int published = publisher.specs.size();

    Deployment same = patch(d, "{'gpu':'a100-80gb','engine':{},'model':'llama'}");
    assertThat(same.version()).isEqualTo(d.version());
    assertThat(publisher.specs).hasSize(published);
    assertThat(revisions(d)).hasSize(1);

    Deployment two = patch(d, "{'gpu':'h100','engine':{'enable_prefix_caching':true}}");
    assertThat(two.revision()).isEqualTo(2);
    assertThat(two.gpu()).isEqualTo("H100-80GB");
    assertThat(two.version()).isGreaterThan(d.version());
    DeploymentSpec spec = publisher.specs.getLast();
    assertThat(spec.revision()).isEqualTo(2);
    assertThat(spec.gpu()).isEqualTo("H100-80GB");
    assertThat(spec.engine().vllmArgs()).containsExactly("--enable-prefix-caching");
    assertThat(revisions(d))
        .extracting(
            DeploymentRevision::revision, DeploymentRevision::status, DeploymentRevision::changed)
        .containsExactly(
            tuple(2, RevisionStatus.ROLLING_OUT, List.of("gpu", "engine")),
            tuple(1, RevisionStatus.ACTIVE, List.of()));

    // A settings-only change makes no revision.
    Deployment settings = patch(d, "{'settings':{'max_surge':0}}");
    assertThat(settings.revision()).isEqualTo(2);
    assertThat(settings.surge()).isZero();
    assertThat(revisions(d)).hasSize(2);

    // Another model (the same repo at another revision) with a new batch size.
    int credentials = publisher.credentials.size();
    Deployment three = patch(d, "{'model':'llama-v2','max_batch_size':16}");
    assertThat(three.revision()).isEqualTo(3);
    assertThat(three.modelLibraryName()).isEqualTo("llama-v2");
    assertThat(publisher.specs.getLast().source()).isEqualTo("hf://o/llama@def");
    assertThat(publisher.credentials)
        .as("the new model's credentials before its spec")
        .hasSize(credentials + 1);
    assertThat(revisions(d))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(
            tuple(3, RevisionStatus.ROLLING_OUT),
            tuple(2, RevisionStatus.SUPERSEDED),
            tuple(1, RevisionStatus.ACTIVE));
  }

  @Test
  void aNewRevisionIsValidatedAsOnCreate() {
    Deployment d =
        create(
            "{'model_name':'chat','model':'llama','gpu':'A100-80GB','settings':"
                + "{'max_instances':2}}");
    assertError(() -> patch(d, "{'num_gpus':4}"), 422, "num_gpus", "GPU quota exceeded");
    assertError(
        () -> patch(d, "{'num_gpus':2,'settings':{'max_instances':3}}"),
        422,
        "settings.max_instances",
        "GPU quota exceeded");
    assertError(() -> patch(d, "{'model':'big'}"), 422, "num_gpus", "needs");
    assertError(() -> patch(d, "{'model':'nothing'}"), 422, "model", "No model 'nothing'");
    assertError(() -> patch(d, "{'family':'embedding'}"), 422, "family", "fixed");
    assertError(() -> patch(d, "{'model_name':'x'}"), 422, "model_name", "fixed");
    assertError(() -> patch(d, "{'engine':{'dtype':'int4'}}"), 422, "engine.dtype", "one of");
    assertThat(revisions(d)).hasSize(1);
    // 2 × 2 GPUs = the whole quota of 4: accepted with no room for a surge.
    Deployment two = patch(d, "{'num_gpus':2}");
    assertThat(two.revision()).isEqualTo(2);
    assertThat(two.surge()).isZero();
    assertThat(publisher.specs.getLast().surge()).isZero();
  }

  @Test
  void aFailedRolloutReturnsToTheActiveRevisionAndARollbackMakesItClean() {
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    assertError(
        () -> service.rollback(TENANT, "chat").block(BLOCK), 409, null, "no earlier revision");
    patch(d, "{'gpu':'H100-80GB','engine':{'max_model_len':4096}}");
    int published = publisher.specs.size();

    service.rolloutEnded(d.id(), 2, false, "exit code 1 during startup").block(BLOCK);
    Deployment back = service.get(TENANT, "chat").block(BLOCK);
    assertThat(back.revision()).isEqualTo(1);
    assertThat(back.gpu()).isEqualTo("A100-80GB");
    assertThat(back.engine()).isEqualTo(EngineOptions.NONE);
    assertThat(back.shownReason())
        .isEqualTo("revision 2 failed: exit code 1 during startup; serving revision 1");
    assertThat(publisher.specs).hasSize(published + 1);
    assertThat(publisher.specs.getLast().revision()).isEqualTo(1);
    assertThat(publisher.specs.getLast().reason()).startsWith("revision 2 failed");
    assertThat(revisions(d))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(tuple(2, RevisionStatus.FAILED), tuple(1, RevisionStatus.ACTIVE));
    assertThat(revisions(d).getFirst().reason()).isEqualTo("exit code 1 during startup");

    // Said again: nothing changes, nothing is published.
    service.rolloutEnded(d.id(), 2, false, "exit code 1 during startup").block(BLOCK);
    service.rolloutEnded(d.id(), 1, true, null).block(BLOCK);
    assertThat(publisher.specs).hasSize(published + 1);

    // A rollback: revision 3 with revision 1's content, and the reason is gone.
    Deployment three = service.rollback(TENANT, "chat").block(BLOCK);
    assertThat(three.revision()).isEqualTo(3);
    assertThat(three.gpu()).isEqualTo("A100-80GB");
    assertThat(three.shownReason()).isNull();
    assertThat(revisions(d).getFirst().changed()).containsExactly("gpu", "engine");
    service.rolloutEnded(d.id(), 3, true, null).block(BLOCK);
    assertThat(revisions(d))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(
            tuple(3, RevisionStatus.ACTIVE),
            tuple(2, RevisionStatus.FAILED),
            tuple(1, RevisionStatus.SUPERSEDED));
  }

  @Test
  void aSucceededRolloutSupersedesTheOldRevisionAndRollbackReturnsToIt() {
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    patch(d, "{'max_batch_size':32}");
    service.rolloutEnded(d.id(), 2, true, null).block(BLOCK);
    assertThat(revisions(d))
        .extracting(DeploymentRevision::status)
        .containsExactly(RevisionStatus.ACTIVE, RevisionStatus.SUPERSEDED);
    Deployment three = service.rollback(TENANT, d.id().toString()).block(BLOCK);
    assertThat(three.revision()).isEqualTo(3);
    assertThat(three.maxBatchSize()).isEqualTo(64);
    assertThat(publisher.specs.getLast().maxBatchSize()).isEqualTo(64);
    assertThat(revisions(d).getFirst().changed()).containsExactly("max_batch_size");
  }

  @Test
  void anotherTenantDoesNotSeeTheDeploymentAndADeletingOneIsNotChanged() {
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    assertError(
        () -> service.get(OTHER_TENANT, d.id().toString()).block(BLOCK),
        404,
        null,
        "No deployment");
    assertError(
        () -> service.rollback(OTHER_TENANT, "chat").block(BLOCK), 404, null, "No deployment");
    // Deleting while instances still drain (the activator finalizes it later).
    store.markDeleting(d.id(), clock.instant()).block(BLOCK);
    assertError(() -> patch(d, "{'gpu':'H100-80GB'}"), 409, null, "being deleted");
    assertError(() -> service.rollback(TENANT, "chat").block(BLOCK), 409, null, "being deleted");
  }

  @Test
  void duringARolloutTheQuotaCountsTheActiveRevisionsGpusToo() throws Exception {
    Postgres.execute(ds, "UPDATE tenants SET gpu_quota = 8 WHERE id = '" + TENANT + "'");
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB','num_gpus':8}");
    // Revision 2 needs 1 GPU per instance, but revision 1's 8-GPU instances serve until it has
    // rolled out, and come back if it fails.
    patch(d, "{'num_gpus':1,'max_batch_size':16}");
    assertError(
        () -> patch(d, "{'settings':{'max_instances':8}}"),
        422,
        "settings.max_instances",
        "GPU quota exceeded");
    assertError(
        () -> patch(d, "{'max_batch_size':32,'settings':{'max_instances':2}}"),
        422,
        "settings.max_instances",
        "GPU quota exceeded");
    assertError(
        () -> create("{'model_name':'other','model':'llama','gpu':'A100-80GB'}"),
        422,
        "settings.max_instances",
        "GPU quota exceeded");

    service.rolloutEnded(d.id(), 2, false, "exit code 1").block(BLOCK);
    Deployment back = service.get(TENANT, "chat").block(BLOCK);
    assertThat(back.numGpus()).isEqualTo(8);
    assertThat(back.settings().maxInstances()).isEqualTo(1);
  }

  @Test
  void anAutomaticRollbackLowersMaxInstancesWhenTheRestoredRevisionNoLongerFits() throws Exception {
    Postgres.execute(ds, "UPDATE tenants SET gpu_quota = 8 WHERE id = '" + TENANT + "'");
    Deployment d =
        create(
            "{'model_name':'chat','model':'llama','gpu':'A100-80GB','num_gpus':4,"
                + "'settings':{'min_instances':2,'max_instances':2}}");
    patch(d, "{'num_gpus':2}");
    // An admin lowers the quota while revision 2 rolls out.
    Postgres.execute(ds, "UPDATE tenants SET gpu_quota = 4 WHERE id = '" + TENANT + "'");

    service.rolloutEnded(d.id(), 2, false, "exit code 1").block(BLOCK);
    Deployment back = service.get(TENANT, "chat").block(BLOCK);
    assertThat(back.revision()).isEqualTo(1);
    assertThat(back.numGpus()).isEqualTo(4);
    assertThat(back.settings().maxInstances()).isEqualTo(1);
    assertThat(back.settings().minInstances()).isEqualTo(1);
    assertThat(back.quotaGpus()).isEqualTo(4);
    assertThat(back.surge()).isZero();
    assertThat(back.shownReason())
        .isEqualTo(
            "revision 2 failed: exit code 1; serving revision 1; max_instances lowered from 2"
                + " to 1 (and min_instances to 1) to stay within the GPU quota of 4");
    assertThat(publisher.specs.getLast().settings().maxInstances()).isEqualTo(1);
  }

  @Test
  void aModelThatARolloutStillNeedsCannotBeDeleted() {
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    patch(d, "{'model':'llama-v2'}");
    // Revision 1 (llama) serves until revision 2 (llama-v2) has rolled out, and comes back if
    // it fails.
    assertError(
        () -> models.delete(TENANT, "llama").block(BLOCK),
        409,
        null,
        "is used by 'chat' (revision 1)");
    assertError(
        () -> models.delete(TENANT, "llama-v2").block(BLOCK),
        409,
        null,
        "is used by 'chat' (revision 2)");

    service.rolloutEnded(d.id(), 2, true, null).block(BLOCK);
    models.delete(TENANT, "llama").block(BLOCK);
    assertThat(models.find(TENANT, "llama").blockOptional(BLOCK)).isEmpty();
    assertError(
        () -> service.rollback(TENANT, "chat").block(BLOCK),
        409,
        null,
        "no longer in your library");
  }

  @Test
  void aFailedRolloutDoesNotRestoreARevisionWhoseModelWasDeleted() throws Exception {
    Deployment d = create("{'model_name':'chat','model':'llama','gpu':'A100-80GB'}");
    patch(d, "{'model':'llama-v2'}");
    int published = publisher.specs.size();
    // Deleted behind the service's back (a deployment from before the check, or a race).
    Postgres.execute(
        ds, "UPDATE models SET deleted_at = now() WHERE id = '" + DeploymentStoreIT.MODEL_A + "'");

    service.rolloutEnded(d.id(), 2, false, "exit code 1").block(BLOCK);
    Deployment after = service.get(TENANT, "chat").block(BLOCK);
    assertThat(after.revision()).as("not restored").isEqualTo(2);
    assertThat(after.modelId()).isEqualTo(DeploymentStoreIT.MODEL_B);
    assertThat(after.shownReason())
        .isEqualTo(
            "revision 2 failed: exit code 1; revision 1 cannot be restored: its model 'llama'"
                + " was deleted from the library; PATCH another model to roll out a new revision");
    assertThat(publisher.specs).hasSize(published + 1);
    assertThat(publisher.specs.getLast().revision()).isEqualTo(2);
    assertThat(revisions(d))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(tuple(2, RevisionStatus.FAILED), tuple(1, RevisionStatus.ACTIVE));
  }
}
