package io.zeroscale.gateway.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.zeroscale.api.DeploymentStatus;
import io.zeroscale.api.EngineOptions;
import io.zeroscale.api.Family;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.r2dbc.core.DatabaseClient;

/** The deployment store's revisions against a real PostgreSQL migrated by V1–V8. */
class DeploymentStoreIT {

  static final Duration BLOCK = Duration.ofSeconds(30);
  static final UUID TENANT = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
  static final UUID MODEL_A = UUID.fromString("00000000-0000-0000-0000-0000000000b1");
  static final UUID MODEL_B = UUID.fromString("00000000-0000-0000-0000-0000000000b2");
  static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  @TempDir static Path tmp;
  static Postgres pg;

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

  static void tenantAndModels(DataSource ds, int quota) throws Exception {
    Postgres.execute(
        ds,
        "INSERT INTO tenants (id, name, gpu_quota, created_at, updated_at) VALUES ('"
            + TENANT
            + "', 'acme', "
            + quota
            + ", now(), now())",
        "INSERT INTO models (id, tenant_id, name, source, repo, revision, family, status, sha,"
            + " weight_bytes, created_at, updated_at) VALUES ('"
            + MODEL_A
            + "', '"
            + TENANT
            + "', 'llama', 'hf://o/llama@main', 'o/llama', 'main', 'llm', 'ready', 'abc',"
            + " 1000, now(), now()), ('"
            + MODEL_B
            + "', '"
            + TENANT
            + "', 'llama-v2', 'hf://o/llama@v2', 'o/llama', 'v2', 'llm', 'ready', 'def',"
            + " 1000, now(), now())");
  }

  @Test
  void theMigrationGivesEveryDeploymentItsFirstRevisionAndASurgeWithinTheQuota() throws Exception {
    DataSource ds = pg.database("upgrade");
    Postgres.migrate(ds, "7");
    tenantAndModels(ds, 4);
    String columns =
        "INSERT INTO deployments (id, tenant_id, model_id, model_name, family, gpu, num_gpus,"
            + " max_batch_size, min_instances, max_instances, scale_to_zero_after_s,"
            + " activation_timeout_s, max_queued_requests, target_utilization, stable_window_s,"
            + " billing_aware_scale_down, status, reason, created_at, updated_at) VALUES ";
    Postgres.execute(
        ds,
        columns
            + "('00000000-0000-0000-0000-0000000000d1', '"
            + TENANT
            + "', '"
            + MODEL_A
            + "', 'chat', 'llm', 'A100-80GB', 1, 8, 0, 2, 300, 600, 100, 0.7, 60, true,"
            + " 'running', null, '2026-11-01T00:00:00Z', now())",
        columns
            + "('00000000-0000-0000-0000-0000000000d2', '"
            + TENANT
            + "', '"
            + MODEL_A
            + "', 'broken', 'llm', 'A100-80GB', 1, 8, 0, 2, 300, 600, 100, 0.7, 60, true,"
            + " 'failed', 'crash loop', '2026-11-02T00:00:00Z', now())");
    Postgres.migrate(ds, "latest");

    DeploymentStore store = new DeploymentStore(DatabaseClient.create(pg.r2dbc("upgrade")));
    Deployment chat =
        store.findById(UUID.fromString("00000000-0000-0000-0000-0000000000d1")).block(BLOCK);
    assertThat(chat.revision()).isEqualTo(1);
    assertThat(chat.engine()).isEqualTo(EngineOptions.NONE);
    assertThat(chat.settings().maxSurge()).isEqualTo(1);
    // quota 4, the other deployment holds 2 × 1, this one 2 × 1: no room for a surge.
    assertThat(chat.surge()).isZero();
    assertThat(chat.rolloutReason()).isNull();
    assertThat(store.revisions(chat.id()).collectList().block(BLOCK))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.revision()).isEqualTo(1);
              assertThat(r.status()).isEqualTo(RevisionStatus.ACTIVE);
              assertThat(r.content())
                  .isEqualTo(
                      new RevisionContent(
                          MODEL_A, "hf://o/llama@main", "A100-80GB", 1, 8, EngineOptions.NONE));
              assertThat(r.changed()).isEmpty();
              assertThat(r.modelName()).isEqualTo("llama");
              assertThat(r.createdAt()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
            });
    assertThat(
            store
                .revisions(UUID.fromString("00000000-0000-0000-0000-0000000000d2"))
                .collectList()
                .block(BLOCK))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.status()).isEqualTo(RevisionStatus.FAILED);
              assertThat(r.reason()).isEqualTo("crash loop");
            });
  }

  @Test
  void revisionsAreWrittenActivatedFailedAndRestored() throws Exception {
    DataSource ds = pg.database("revisions");
    Postgres.migrate(ds, "latest");
    tenantAndModels(ds, 8);
    DeploymentStore store = new DeploymentStore(DatabaseClient.create(pg.r2dbc("revisions")));
    EngineOptions engine =
        new EngineOptions(
            8192,
            new BigDecimal("0.9"),
            true,
            new EngineOptions.Speculative("hf://o/draft@123", 4),
            "hermes",
            null,
            "bfloat16",
            null);
    RevisionContent one =
        new RevisionContent(MODEL_A, "hf://o/llama@main", "A100-80GB", 1, 8, engine);
    CreateRequest req =
        new CreateRequest(
            "chat",
            new ModelRef.Library("llama"),
            null,
            "A100-80GB",
            1,
            8,
            SettingsRules.defaults(),
            new EngineRules.Requested(engine, null));
    UUID id = UUID.randomUUID();
    Deployment created =
        store
            .insert(id, TENANT, one, req, Family.LLM, DeploymentStatus.SCALED_TO_ZERO, null, 1, T0)
            .block(BLOCK);
    assertThat(created.revision()).isEqualTo(1);
    assertThat(created.engine()).isEqualTo(engine);
    assertThat(created.content()).isEqualTo(one);
    assertThat(created.surge()).isEqualTo(1);
    assertThat(created.spec().engine()).isEqualTo(engine);
    assertThat(store.revisions(id).collectList().block(BLOCK))
        .singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(RevisionStatus.ACTIVE));

    RevisionContent two =
        new RevisionContent(MODEL_B, "hf://o/llama@v2", "H100-80GB", 2, 16, EngineOptions.NONE);
    Deployment rolling =
        store
            .newRevision(id, 2, two, two.changedFrom(one), 0, "unpinned", T0.plusSeconds(60))
            .block(BLOCK);
    assertThat(rolling.revision()).isEqualTo(2);
    assertThat(rolling.content()).isEqualTo(two);
    assertThat(rolling.modelLibraryName()).isEqualTo("llama-v2");
    assertThat(rolling.modelSha()).isEqualTo("def");
    assertThat(rolling.version()).isEqualTo(created.version() + 1);
    assertThat(rolling.surge()).isZero();
    assertThat(rolling.warning()).isEqualTo("unpinned");
    List<DeploymentRevision> history = store.revisions(id).collectList().block(BLOCK);
    assertThat(history)
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(2, RevisionStatus.ROLLING_OUT),
            org.assertj.core.groups.Tuple.tuple(1, RevisionStatus.ACTIVE));
    assertThat(history.getFirst().changed())
        .containsExactly("model", "gpu", "num_gpus", "max_batch_size", "engine");
    assertThat(history.getLast().content()).isEqualTo(one);

    // Revision 3 is asked for before 2 rolled out: 2 is superseded, 1 stays active.
    RevisionContent three =
        new RevisionContent(MODEL_B, "hf://o/llama@v2", "H100-80GB", 2, 32, EngineOptions.NONE);
    store
        .newRevision(id, 3, three, List.of("max_batch_size"), 1, "unpinned", T0.plusSeconds(90))
        .block(BLOCK);
    assertThat(store.activate(id, 2).block(BLOCK)).as("2 is not rolling out any more").isFalse();
    assertThat(statuses(store, id))
        .containsExactly(
            RevisionStatus.ROLLING_OUT, RevisionStatus.SUPERSEDED, RevisionStatus.ACTIVE);

    // 3 fails; the deployment returns to 1 with a reason.
    assertThat(store.fail(id, 3, "exit code 1").block(BLOCK)).isTrue();
    assertThat(store.fail(id, 3, "exit code 1").block(BLOCK)).as("idempotent").isFalse();
    Deployment restored =
        store
            .restore(
                id, 1, one, null, 1, null, "revision 3 failed: exit code 1", T0.plusSeconds(120))
            .block(BLOCK);
    assertThat(restored.revision()).isEqualTo(1);
    assertThat(restored.content()).isEqualTo(one);
    assertThat(restored.rolloutReason()).isEqualTo("revision 3 failed: exit code 1");
    assertThat(restored.warning()).isNull();
    assertThat(restored.shownReason()).isEqualTo("revision 3 failed: exit code 1");
    assertThat(store.revisions(id).collectList().block(BLOCK).getFirst().reason())
        .isEqualTo("exit code 1");

    // The activator's status report does not erase the rollback's reason.
    store.updateStatus(id, DeploymentStatus.RUNNING, null, T0.plusSeconds(130)).block(BLOCK);
    assertThat(store.findById(id).block(BLOCK).shownReason())
        .isEqualTo("revision 3 failed: exit code 1");

    // Revision 4 rolls out: it clears the reason; once active, 1 is superseded.
    store.newRevision(id, 4, two, List.of("model"), 1, null, T0.plusSeconds(150)).block(BLOCK);
    assertThat(store.findById(id).block(BLOCK).rolloutReason()).isNull();
    assertThat(store.activate(id, 4).block(BLOCK)).isTrue();
    assertThat(store.activate(id, 4).block(BLOCK)).as("idempotent").isFalse();
    assertThat(statuses(store, id))
        .containsExactly(
            RevisionStatus.ACTIVE,
            RevisionStatus.FAILED,
            RevisionStatus.SUPERSEDED,
            RevisionStatus.SUPERSEDED);

    // max_surge is a setting; the surge never exceeds it.
    Deployment settled =
        store
            .updateSettings(
                id,
                new io.zeroscale.api.ScalingSettings(0, 1, 300, 900, 1000, 0.7, 60, true, 0),
                DeploymentStatus.RUNNING,
                0,
                T0.plusSeconds(200))
            .block(BLOCK);
    assertThat(settled.settings().maxSurge()).isZero();
    assertThat(settled.surge()).isZero();
  }

  @Test
  void aDeploymentKeepsAtMostMaxRevisionsNeverItsActiveOrRollingOne() throws Exception {
    DataSource ds = pg.database("bounded");
    Postgres.migrate(ds, "latest");
    tenantAndModels(ds, 8);
    DatabaseClient db = DatabaseClient.create(pg.r2dbc("bounded"));
    DeploymentStore store = new DeploymentStore(db, 3);
    RevisionContent one =
        new RevisionContent(MODEL_A, "hf://o/llama@main", "A100-80GB", 1, 8, EngineOptions.NONE);
    CreateRequest req =
        new CreateRequest(
            "chat",
            new ModelRef.Library("llama"),
            null,
            "A100-80GB",
            1,
            8,
            SettingsRules.defaults(),
            new EngineRules.Requested(EngineOptions.NONE, null));
    UUID id = UUID.randomUUID();
    store
        .insert(id, TENANT, one, req, Family.LLM, DeploymentStatus.SCALED_TO_ZERO, null, 1, T0)
        .block(BLOCK);
    // Revisions 2 to 6 each roll out; 7 fails; 8 to 11 are each asked for before the one before
    // rolled out (superseded), while 6 stays active.
    for (int n = 2; n <= 11; n++) {
      RevisionContent c =
          new RevisionContent(MODEL_A, "hf://o/llama@main", "A100-80GB", 1, 8 + n, null);
      store.newRevision(id, n, c, List.of("max_batch_size"), 1, null, T0).block(BLOCK);
      if (n <= 6) {
        assertThat(store.activate(id, n).block(BLOCK)).isTrue();
      } else if (n == 7) {
        assertThat(store.fail(id, n, "exit code 1").block(BLOCK)).isTrue();
      }
      assertThat(store.revisions(id).collectList().block(BLOCK)).hasSizeLessThanOrEqualTo(3);
    }
    assertThat(store.revisions(id).collectList().block(BLOCK))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(11, RevisionStatus.ROLLING_OUT),
            org.assertj.core.groups.Tuple.tuple(10, RevisionStatus.SUPERSEDED),
            org.assertj.core.groups.Tuple.tuple(6, RevisionStatus.ACTIVE));
    assertThat(store.newestRevision(id).block(BLOCK)).isEqualTo(11);
    assertThat(Revisions.rollbackTarget(store.decisive(id).collectList().block(BLOCK)))
        .get()
        .extracting(DeploymentRevision::revision)
        .isEqualTo(10);

    // A history longer than the bound (kept by a store with a larger one) is read bounded, and
    // the decisions still find the active and rolling-out revisions.
    DeploymentStore roomy = new DeploymentStore(db, 100);
    for (int n = 12; n <= 16; n++) {
      RevisionContent c =
          new RevisionContent(MODEL_A, "hf://o/llama@main", "A100-80GB", 1, 8 + n, null);
      roomy.newRevision(id, n, c, List.of("max_batch_size"), 1, null, T0).block(BLOCK);
    }
    assertThat(roomy.revisions(id).collectList().block(BLOCK)).hasSize(8);
    assertThat(store.revisions(id).collectList().block(BLOCK))
        .extracting(DeploymentRevision::revision)
        .containsExactly(16, 15, 14);
    assertThat(store.decisive(id).collectList().block(BLOCK))
        .extracting(DeploymentRevision::revision, DeploymentRevision::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(16, RevisionStatus.ROLLING_OUT),
            org.assertj.core.groups.Tuple.tuple(15, RevisionStatus.SUPERSEDED),
            org.assertj.core.groups.Tuple.tuple(6, RevisionStatus.ACTIVE));
    assertThat(
            Revisions.rolloutEnded(
                store.decisive(id).collectList().block(BLOCK), 16, 16, false, "exit code 1"))
        .isInstanceOfSatisfying(
            Revisions.Outcome.Failed.class, f -> assertThat(f.restore().revision()).isEqualTo(6));
    // The next revision made by the bounded store trims the history back to its bound.
    RevisionContent last =
        new RevisionContent(MODEL_A, "hf://o/llama@main", "A100-80GB", 1, 64, null);
    store.newRevision(id, 17, last, List.of("max_batch_size"), 1, null, T0).block(BLOCK);
    assertThat(roomy.revisions(id).collectList().block(BLOCK))
        .extracting(DeploymentRevision::revision)
        .containsExactly(17, 16, 6);
  }

  private static List<RevisionStatus> statuses(DeploymentStore store, UUID id) {
    return store.revisions(id).map(DeploymentRevision::status).collectList().block(BLOCK);
  }
}
