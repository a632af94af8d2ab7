package io.zeroscale.standalone;

import com.google.gson.Gson;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Helm chart {@code charts/zeroscale} rendered by the embedded helm of helm-java, and its
 * objects parsed into the typed Kubernetes model with no unknown field: client-java's models for
 * the built-in kinds (its generated JSON adapters reject a field the API does not define),
 * fabric8's for the ServiceMonitor (whose unknown fields land in {@code additionalProperties},
 * which {@link #typed} requires to be empty everywhere in the object graph).
 */
final class ChartFixture {

  /** The chart, seen from the standalone module (Maven runs tests there). */
  static final Path DIR = Path.of("..", "charts", "zeroscale").toAbsolutePath().normalize();

  static final String RELEASE = "zs";
  static final String NAMESPACE = "zeroscale";

  /** The values files of {@code ci/}, each a non-trivial installation. */
  static final Path SPLIT = DIR.resolve("ci/split-controller-values.yaml");

  static final Path INGRESS = DIR.resolve("ci/ingress-values.yaml");
  static final Path EXISTING_SECRETS = DIR.resolve("ci/existing-secrets-values.yaml");

  /** apiVersion/kind to its typed model: the only kinds the chart may render. */
  static final Map<String, Class<?>> MODELS =
      Map.ofEntries(
          Map.entry("apps/v1/Deployment", V1Deployment.class),
          Map.entry("v1/Service", V1Service.class),
          Map.entry("v1/ConfigMap", V1ConfigMap.class),
          Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
          Map.entry("v1/Secret", V1Secret.class),
          Map.entry("rbac.authorization.k8s.io/v1/Role", V1Role.class),
          Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding.class),
          Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
          Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
          Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
          Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class));

  private static final Gson GSON = new Gson();
  private static final KubernetesSerialization FABRIC8 = new KubernetesSerialization();

  private ChartFixture() {}

  /** {@code helm template zs charts/zeroscale -n zeroscale [-f file...] [--set k=v...]}. */
  static String template(List<Path> valuesFiles, Map<String, String> sets) {
    TemplateCommand t = new Helm(DIR).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (Path f : valuesFiles) {
      t = t.withValuesFile(f);
    }
    for (Map.Entry<String, String> s : sets.entrySet()) {
      t = t.set(s.getKey(), s.getValue());
    }
    return t.call();
  }

  /**
   * A copy of the chart in {@code dir} whose values.yaml is the chart's deep-merged with {@code
   * valuesFile} (maps merge, anything else is replaced, as {@code helm -f} does): helm-java's lint
   * reads only the chart's own values.yaml.
   */
  @SuppressWarnings("unchecked")
  static Path withValues(Path dir, Path valuesFile) throws java.io.IOException {
    Path copy = dir.resolve("zeroscale");
    try (var files = Files.walk(DIR)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = copy.resolve(DIR.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    Map<String, Object> values = yaml.load(Files.readString(DIR.resolve("values.yaml")));
    Map<String, Object> overlay = yaml.load(Files.readString(valuesFile));
    Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(merge(values, overlay)));
    return copy;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach(
        (k, v) ->
            out.merge(
                k,
                v,
                (a, b) ->
                    a instanceof Map<?, ?> am && b instanceof Map<?, ?> bm
                        ? merge((Map<String, Object>) am, (Map<String, Object>) bm)
                        : b));
    return out;
  }

  static Rendered render(Path... valuesFiles) {
    return Rendered.of(template(List.of(valuesFiles), Map.of()));
  }

  /** A values file in {@code dir} with {@code yaml} as its content. */
  static Path valuesFile(Path dir, String name, String yaml) throws java.io.IOException {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  /** The rendered documents, in order, as plain maps. */
  record Rendered(List<Map<String, Object>> docs) {

    @SuppressWarnings("unchecked")
    static Rendered of(String yaml) {
      List<Map<String, Object>> docs = new ArrayList<>();
      for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
        if (doc != null) {
          docs.add((Map<String, Object>) doc);
        }
      }
      return new Rendered(List.copyOf(docs));
    }

    List<Map<String, Object>> all(String kind) {
      return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    /** The one object of that kind and name, typed. */
    <T> T one(Class<T> type, String kind, String name) {
      List<Map<String, Object>> hits =
          all(kind).stream().filter(d -> name.equals(metadata(d).get("name"))).toList();
      if (hits.size() != 1) {
        throw new AssertionError(hits.size() + " " + kind + " named " + name + " in " + names());
      }
      return type.cast(typed(hits.getFirst()));
    }

    List<String> names() {
      return docs.stream().map(d -> d.get("kind") + "/" + metadata(d).get("name")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> metadata(Map<String, Object> doc) {
      return (Map<String, Object>) doc.getOrDefault("metadata", Map.of());
    }
  }

  /**
   * The object in its typed model; fails on an apiVersion/kind the chart should not render and on
   * any field the model does not know (a typo in a template, a field of another API version).
   */
  static Object typed(Map<String, Object> doc) {
    String key = doc.get("apiVersion") + "/" + doc.get("kind");
    Class<?> type = MODELS.get(key);
    if (type == null) {
      throw new IllegalArgumentException("no typed model for " + key);
    }
    String json = GSON.toJson(doc);
    if (type.getName().startsWith("io.kubernetes.client")) {
      // client-java's generated adapters validate every object against the API's field list.
      return JSON.deserialize(json, type);
    }
    Object model = FABRIC8.unmarshal(json, type);
    List<String> unknown = new ArrayList<>();
    unknownFields(model, "", unknown, java.util.Collections.newSetFromMap(new IdentityHashMap<>()));
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(key + " has unknown fields: " + unknown);
    }
    return model;
  }

  /** Every non-empty {@code additionalProperties} in a fabric8 object graph, by path. */
  private static void unknownFields(Object o, String path, List<String> out, Set<Object> seen) {
    if (o == null || !seen.add(o)) {
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object e : c) {
        unknownFields(e, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    Map<String, Object> children = new LinkedHashMap<>();
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object value = m.invoke(o);
        if (m.getName().equals("getAdditionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            out.add(path + " " + extra.keySet());
          }
        } else {
          children.put(m.getName().substring(3), value);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    children.forEach(
        (name, value) -> unknownFields(value, path + "." + decapitalize(name), out, seen));
  }

  private static String decapitalize(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}
