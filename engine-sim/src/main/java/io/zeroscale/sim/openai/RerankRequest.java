package io.zeroscale.sim.openai;

import io.zeroscale.sim.generate.Reranker;
import io.zeroscale.sim.generate.TextGenerator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A validated rerank request (Cohere / Jina shape, as vLLM serves it).
 *
 * @param model the requested model
 * @param query the query
 * @param documents document texts, in request order
 * @param topN how many results to return (all when absent or 0)
 * @param returnDocuments include each document's text in its result
 */
public record RerankRequest(
    String model, String query, List<String> documents, int topN, boolean returnDocuments) {

  /** Parses the body. */
  public static RerankRequest parse(JsonNode body) {
    String model = Json.model(body);
    String query = Json.requiredString(body, "query");
    JsonNode docs = body.get("documents");
    if (docs == null || docs.isNull()) {
      throw new InvalidRequestException("documents", "Missing required parameter: 'documents'.");
    }
    if (!docs.isArray() || docs.isEmpty()) {
      throw new InvalidRequestException("documents", "'documents' must be a non-empty array.");
    }
    List<String> documents = new ArrayList<>();
    for (int i = 0; i < docs.size(); i++) {
      JsonNode doc = docs.get(i);
      if (doc.isString()) {
        documents.add(doc.stringValue());
      } else if (doc.isObject() && doc.path("text").isString()) {
        documents.add(doc.get("text").stringValue());
      } else {
        throw new InvalidRequestException(
            "documents[" + i + "]", "Each document must be a string or {\"text\": string}.");
      }
    }
    int topN = Json.optionalInt(body, "top_n", 0, Integer.MAX_VALUE).orElse(0);
    boolean returnDocuments = Json.optionalBoolean(body, "return_documents", true);
    return new RerankRequest(model, query, List.copyOf(documents), topN, returnDocuments);
  }

  /** Tokens billed: the query is paired with every document. */
  public int totalTokens() {
    int queryTokens = Math.max(1, TextGenerator.countWords(query));
    int total = 0;
    for (String d : documents) {
      total += queryTokens + Math.max(1, TextGenerator.countWords(d));
    }
    return total;
  }

  /** Results sorted by relevance (ties by index), cut to top_n. */
  public byte[] response(String id) {
    record Scored(int index, double score) {}
    List<Scored> scored = new ArrayList<>(documents.size());
    for (int i = 0; i < documents.size(); i++) {
      scored.add(new Scored(i, Reranker.score(query, documents.get(i))));
    }
    scored.sort(
        Comparator.comparingDouble(Scored::score).reversed().thenComparingInt(Scored::index));
    int limit = topN == 0 ? scored.size() : Math.min(topN, scored.size());
    ObjectNode root = Json.object();
    root.put("id", id);
    root.put("model", model);
    root.putObject("usage").put("total_tokens", totalTokens());
    ArrayNode results = root.putArray("results");
    for (Scored s : scored.subList(0, limit)) {
      ObjectNode result = results.addObject();
      result.put("index", s.index());
      if (returnDocuments) {
        result.putObject("document").put("text", documents.get(s.index()));
      }
      result.put("relevance_score", s.score());
    }
    return Json.bytes(root);
  }
}
