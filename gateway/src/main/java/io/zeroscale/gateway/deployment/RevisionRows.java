package io.zeroscale.gateway.deployment;

import io.r2dbc.spi.Readable;
import io.zeroscale.gateway.store.Columns;
import java.util.List;

/** How {@link DeploymentStore} reads {@code deployment_revisions} rows. */
final class RevisionRows {

  /** A revision with its library model's current name; a {@code WHERE} clause follows. */
  static final String SELECT =
      "SELECT r.deployment_id, r.revision, r.model_id, m.name AS model_library_name, r.source,"
          + " r.gpu, r.num_gpus, r.max_batch_size, r.engine::text AS engine_json,"
          + " array_to_string(r.changed, ',') AS changed_csv, r.status, r.reason, r.created_at"
          + " FROM deployment_revisions r JOIN models m ON m.id = r.model_id";

  private RevisionRows() {}

  static DeploymentRevision revision(Readable row) {
    Columns c = new Columns(row);
    String csv = c.text("changed_csv");
    return new DeploymentRevision(
        c.uuid("deployment_id"),
        c.integer("revision"),
        new RevisionContent(
            c.uuid("model_id"),
            c.text("source"),
            c.text("gpu"),
            c.integer("num_gpus"),
            c.integer("max_batch_size"),
            DeploymentStore.engine(c.text("engine_json"))),
        c.text("model_library_name"),
        csv == null || csv.isEmpty() ? List.of() : List.of(csv.split(",")),
        RevisionStatus.fromWire(c.text("status")),
        c.text("reason"),
        c.instant("created_at"));
  }
}
