package io.zeroscale.sim.openai;

/** The request names a model this engine does not serve: answered 404, as vLLM does. */
public final class ModelNotFoundException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ModelNotFoundException(String model) {
    super("The model `" + model + "` does not exist.", null, false, false);
  }
}
