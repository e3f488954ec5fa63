// The Kiln panel's Endpoints section: every endpoint with what it serves, what it serves on
// failure, its traffic and drift, and its Rollback and Report actions.

import { Widget } from "@lumino/widgets";
import type { ServedEndpoint } from "../api/endpoints-api";
import { element, textWithCode } from "../widgets/elements";
import { driftStatusText } from "./drift-status";
import type { EndpointsModel, ShownEndpoint } from "./endpoints-model";
import { formatPercent } from "./format-percent";
import { problemNote } from "./problem-note";

type EndpointsSectionOptions = {
  endpoints: EndpointsModel;
  /** Asks whether to roll `endpoint` back (the confirmation dialog). */
  confirmRollback: (endpoint: ServedEndpoint) => Promise<boolean>;
  /** Shows `endpoint`'s monitoring report (in JupyterLab's main area). */
  openReport: (endpoint: ServedEndpoint) => void;
};

/**
 * Shows an {@link EndpointsModel}.
 *
 * @example
 * ```ts
 * panel.addWidget(new EndpointsSection({ endpoints, confirmRollback, openReport }));
 * ```
 */
export class EndpointsSection extends Widget {
  readonly #opts: EndpointsSectionOptions;
  readonly #body = element("div", "jp-KilnEndpoints-body");

  constructor(options: EndpointsSectionOptions) {
    super();
    this.#opts = options;
    this.addClass("jp-KilnEndpoints");
    const refresh = element("button", "jp-KilnEndpoints-refresh jp-mod-styled", "Refresh");
    refresh.type = "button";
    refresh.addEventListener("click", () => void options.endpoints.refresh());
    this.node.append(
      element("div", "jp-KilnSection-header", element("h3", "", "Endpoints"), refresh),
      this.#body,
    );
    options.endpoints.changed.connect(this.#render, this);
    this.#render();
  }

  #render(): void {
    const state = this.#opts.endpoints.state;
    this.#body.dataset.state = state.status;
    switch (state.status) {
      case "unconfigured":
        this.#body.replaceChildren(hint("Reading the Kiln settings…"));
        return;
      case "loading":
        this.#body.replaceChildren(hint("Listing the endpoints…"));
        return;
      case "failed": {
        const retry = element("button", "jp-KilnEndpoints-retry jp-mod-styled", "Try again");
        retry.type = "button";
        retry.addEventListener("click", () => void this.#opts.endpoints.refresh());
        this.#body.replaceChildren(problemNote(state.error.message, state.error.fix), retry);
        return;
      }
      case "loaded":
        this.#body.replaceChildren(
          state.endpoints.length === 0
            ? hint("No endpoint yet: promote a model from the Models section.")
            : element("ul", "jp-KilnEndpoints-list", ...state.endpoints.map((e) => this.#item(e))),
        );
        return;
    }
  }

  #item(endpoint: ShownEndpoint): HTMLLIElement {
    const { current, previous } = endpoint;
    const facts: [key: string, label: string, value: string][] = [
      ["version", "Serves", `${current.model} v${current.version}`],
      ["previous", "Previous", previous ? `${previous.model} v${previous.version}` : "none"],
      ["pipeline", "Pipeline", pipelineText(endpoint)],
      ["fallback", "Fallback", fallbackText(endpoint)],
      ["traffic", "Traffic", trafficText(endpoint)],
      ["drift", "Drift", driftStatusText(endpoint)],
    ];
    const item = element(
      "li",
      "jp-KilnEndpoints-item",
      element(
        "div",
        "jp-KilnEndpoints-heading",
        element("span", "jp-KilnEndpoints-name", endpoint.name),
        element(
          "span",
          "jp-KilnEndpoints-serving",
          endpoint.serving
            ? "serving"
            : "not serving (its model failed to load; see the server log)",
        ),
      ),
      element(
        "dl",
        "jp-KilnEndpoints-facts",
        ...facts.flatMap(([key, label, value]) => [
          element("dt", "", label),
          element("dd", `jp-KilnEndpoints-${key}`, value),
        ]),
      ),
      this.#actions(endpoint),
    );
    item.dataset.endpoint = endpoint.name;
    item.dataset.serving = String(endpoint.serving);
    return item;
  }

  #actions(endpoint: ShownEndpoint): HTMLDivElement {
    const { previous, rollback } = endpoint;
    const button = element(
      "button",
      "jp-KilnEndpoints-rollback jp-mod-styled",
      previous ? `Roll back to v${previous.version}` : "Roll back",
    );
    button.type = "button";
    button.disabled = !previous || rollback?.status === "rolling-back";
    button.title = previous
      ? `Serve ${previous.model} v${previous.version} again`
      : "Nothing to roll back to: this endpoint has served one version only";
    button.addEventListener("click", () => void this.#rollback(endpoint));
    const controls = element(
      "div",
      "jp-KilnEndpoints-actions",
      button,
      this.#reportButton(endpoint),
    );
    if (rollback?.status === "rolling-back") controls.append(hint("Rolling back…"));
    if (rollback?.status === "failed") {
      controls.append(problemNote(rollback.error.message, rollback.error.fix));
    }
    return controls;
  }

  #reportButton(endpoint: ShownEndpoint): HTMLButtonElement {
    const button = element("button", "jp-KilnEndpoints-report jp-mod-styled", "Report");
    button.type = "button";
    // A server that does not report monitoring makes no reports either (docs/monitoring.md).
    button.disabled = !endpoint.monitoring;
    button.title = endpoint.monitoring
      ? `Open ${endpoint.name}'s monitoring report: drift, data quality, performance, usage`
      : "This Kiln server makes no monitoring reports: update it to see them";
    button.addEventListener("click", () => this.#opts.openReport(endpoint));
    return button;
  }

  async #rollback(endpoint: ShownEndpoint): Promise<void> {
    if (!(await this.#opts.confirmRollback(endpoint))) return;
    await this.#opts.endpoints.rollback(endpoint.name);
  }
}

function pipelineText({ pipeline }: ShownEndpoint): string {
  return pipeline ? `${pipeline.name} ${pipeline.version}` : "none (logged outside a pipeline)";
}

function fallbackText({ serving, fallback }: ShownEndpoint): string {
  if (!serving) return "unknown while not serving";
  if (!fallback) return "none: a row missing a required feature is refused";
  return `a fallback model answers rows with missing features from ${fallback.features.join(", ")}`;
}

function trafficText({ usage, rates }: ShownEndpoint): string {
  if (!usage) return "not counted by this server";
  const since = new Date(usage.since).toLocaleString();
  if (usage.predictions === 0) return `no predictions since ${since}`;
  const parts = [
    `${usage.predictions} ${usage.predictions === 1 ? "prediction" : "predictions"} since ${since}`,
  ];
  if (rates?.perMinute !== null && rates?.perMinute !== undefined) {
    parts.unshift(`${formatRate(rates.perMinute)} predictions/min`);
  }
  if (rates?.fallbackShare !== null && rates?.fallbackShare !== undefined) {
    parts.push(`${formatPercent(rates.fallbackShare)} by the fallback`);
  }
  return parts.join(" · ");
}

function formatRate(perMinute: number): string {
  return perMinute >= 10 ? String(Math.round(perMinute)) : perMinute.toFixed(1);
}

function hint(text: string): HTMLParagraphElement {
  return element("p", "jp-KilnSection-hint", ...textWithCode(text));
}
