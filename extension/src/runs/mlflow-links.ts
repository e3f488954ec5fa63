// Links from the graph to MLflow's UI: the pipeline run's parent run and each step's run.

import { Signal, type ISignal } from "@lumino/signaling";
import { getServerInfo } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { element } from "../widgets/elements";

/**
 * The page of an MLflow run in MLflow's UI.
 *
 * @example
 * ```ts
 * mlflowRunUrl("http://127.0.0.1:5000", "3", "a1b2"); // "http://127.0.0.1:5000/#/experiments/3/runs/a1b2"
 * ```
 */
export function mlflowRunUrl(mlflowUrl: string, experimentId: string, runId: string): string {
  return `${mlflowUrl.replace(/\/+$/, "")}/#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}`;
}

/**
 * Where the Kiln server says MLflow's UI is (`GET /api/info`), asked again when the settings
 * change. Without it the graph shows no MLflow links, and {@link problem} says why.
 *
 * @example
 * ```ts
 * const links = new MlflowLinks();
 * await links.configure(settings);
 * links.runUrl(run.experimentId, run.mlflowRunId); // null until known
 * ```
 */
export class MlflowLinks {
  #mlflowUrl: string | null = null;
  #problem: string | null = null;
  #latest = 0;
  readonly #changed = new Signal<this, void>(this);

  constructor(private readonly options: { getInfo?: typeof getServerInfo } = {}) {}

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  /** Why there are no links, when the server could not say where MLflow is. */
  get problem(): string | null {
    return this.#problem;
  }

  async configure(settings: KilnSettings): Promise<void> {
    const request = ++this.#latest;
    let mlflowUrl: string | null = null;
    let problem: string | null = null;
    try {
      ({ mlflowUrl } = await (this.options.getInfo ?? getServerInfo)(settings));
      if (mlflowUrl === null) problem = "The Kiln server tracks runs in no MLflow server.";
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      problem = `No MLflow links: ${error.message.replace(/\.$/, "")}.`;
    }
    if (request !== this.#latest) return;
    this.#mlflowUrl = mlflowUrl;
    this.#problem = problem;
    this.#changed.emit();
  }

  /** The page of an MLflow run, or null when MLflow's UI, the experiment or the run is unknown. */
  runUrl(experimentId: string | undefined, runId: string | undefined): string | null {
    if (!this.#mlflowUrl || !experimentId || !runId) return null;
    return mlflowRunUrl(this.#mlflowUrl, experimentId, runId);
  }

  dispose(): void {
    Signal.clearData(this);
  }
}

/**
 * A link that opens MLflow's page of a run in a new tab.
 *
 * @example
 * ```ts
 * mlflowLinkElement(links.runUrl(experimentId, runId)!, "MLflow run", "jp-KilnStepDetails-mlflow");
 * ```
 */
export function mlflowLinkElement(url: string, text: string, className: string): HTMLAnchorElement {
  const link = element("a", className, `${text} ↗`);
  link.href = url;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  return link;
}
