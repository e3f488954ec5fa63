import type { ServedModel } from "./endpoint-model";

/** What the registry knows about one endpoint. */
export type EndpointInfo = {
  name: string;
  current: ServedModel;
  /** The model `rollback` returns to. */
  previous: ServedModel | undefined;
  swappedAt: Date;
};

/**
 * Serving endpoints by name, each with its current model and the previous one (for rollback).
 * A swap is one assignment: requests take their model when they arrive and finish on it, so
 * requests already dispatched to the old model complete there and none fail.
 *
 * @example
 * const registry = new EndpointRegistry();
 * registry.swap("churn", churnV1);
 * registry.swap("churn", churnV2); // new requests go to v2
 * registry.rollback("churn");      // back to v1
 */
export class EndpointRegistry {
  readonly #endpoints = new Map<string, EndpointInfo>();

  /** The model serving `name` now, if the endpoint exists. */
  get(name: string): ServedModel | undefined {
    return this.#endpoints.get(name)?.current;
  }

  /** The endpoint with its current and previous model, if it exists. */
  describe(name: string): EndpointInfo | undefined {
    const endpoint = this.#endpoints.get(name);
    return endpoint && { ...endpoint };
  }

  /**
   * Makes `model` the model of endpoint `name` (creating the endpoint), keeping the one it
   * replaces for `rollback`. Answers the endpoint after the swap.
   * @throws TypeError when `model.endpoint` is not `name`.
   */
  swap(name: string, model: ServedModel): EndpointInfo {
    if (model.endpoint !== name) {
      throw new TypeError(
        `Cannot serve model ${model.modelName} v${model.version} on endpoint "${name}": it was built for endpoint "${model.endpoint}".`,
      );
    }
    const replaced = this.#endpoints.get(name)?.current;
    const endpoint: EndpointInfo = {
      name,
      current: model,
      previous: replaced,
      swappedAt: new Date(),
    };
    this.#endpoints.set(name, endpoint);
    return { ...endpoint };
  }

  /**
   * Serves the previous model of `name` again; the model it replaces becomes the previous one,
   * so a second rollback rolls forward.
   * @throws TypeError when the endpoint does not exist or has no previous model.
   */
  rollback(name: string): EndpointInfo {
    const endpoint = this.#endpoints.get(name);
    if (!endpoint) throw new TypeError(`No serving endpoint "${name}" to roll back.`);
    if (!endpoint.previous) {
      throw new TypeError(
        `Endpoint "${name}" has no previous model to roll back to; it has only served v${endpoint.current.version}.`,
      );
    }
    const rolledBack: EndpointInfo = {
      name,
      current: endpoint.previous,
      previous: endpoint.current,
      swappedAt: new Date(),
    };
    this.#endpoints.set(name, rolledBack);
    return { ...rolledBack };
  }

  /** Removes endpoint `name`; requests already running finish on their model. */
  remove(name: string): boolean {
    return this.#endpoints.delete(name);
  }

  /** Every endpoint, by name. */
  list(): EndpointInfo[] {
    return [...this.#endpoints.values()]
      .map((endpoint) => ({ ...endpoint }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
