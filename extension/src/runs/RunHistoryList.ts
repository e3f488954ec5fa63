// The pipeline's versions (which one the notebook is now) and its runs, each of which can be
// shown on the graph.

import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import { formatDuration } from "./format-duration";
import type { RunHistory, RunHistoryModel } from "./run-history-model";

/** What the list shows besides the model's lists. */
export type RunHistoryContext = {
  /** The registered version the notebook's content compiles to; null when none is. */
  currentVersion: string | null;
  /** Whether the notebook has been analyzed, so that `currentVersion` is known. */
  analyzed: boolean;
  /** The run on the graph. */
  shownRunId: string | null;
};

type RunHistoryListOptions = {
  history: RunHistoryModel;
  onShowRun: (runId: string) => void;
};

/**
 * Lists a {@link RunHistoryModel}'s versions and runs.
 *
 * @example
 * ```ts
 * const list = new RunHistoryList({ history, onShowRun: (id) => runs.showRun(id) });
 * list.setContext({ currentVersion: "v2", analyzed: true, shownRunId: null });
 * ```
 */
export class RunHistoryList extends Widget {
  readonly #options: RunHistoryListOptions;
  #context: RunHistoryContext = { currentVersion: null, analyzed: false, shownRunId: null };

  constructor(options: RunHistoryListOptions) {
    super();
    this.#options = options;
    this.addClass("jp-KilnRunHistory");
    options.history.changed.connect(this.update, this);
    this.#render();
  }

  setContext(context: RunHistoryContext): void {
    if (JSON.stringify(context) === JSON.stringify(this.#context)) return;
    this.#context = context;
    this.update();
  }

  protected override onUpdateRequest(): void {
    this.#render();
  }

  override dispose(): void {
    this.#options.history.changed.disconnect(this.update, this);
    super.dispose();
  }

  #render(): void {
    const state = this.#options.history.state;
    const refresh = element("button", "jp-KilnRunHistory-refresh jp-mod-styled", "Refresh");
    refresh.type = "button";
    refresh.addEventListener("click", () => void this.#options.history.refresh());
    const parts: Node[] = [
      element("div", "jp-KilnRunHistory-header", element("h3", "", "Versions and runs"), refresh),
    ];
    switch (state.status) {
      case "no-pipeline":
        parts.push(hint("The versions and runs appear once the notebook compiles to a pipeline."));
        break;
      case "loading":
        if (state.previous) parts.push(...this.#lists(state.previous));
        else
          parts.push(
            element(
              "p",
              "jp-KilnRunHistory-hint",
              element("span", "jp-KilnRunSpinner"),
              "Listing the versions and runs…",
            ),
          );
        break;
      case "loaded":
        parts.push(...this.#lists(state.history));
        break;
      case "failed":
        parts.push(
          element(
            "div",
            "jp-KilnRunHistory-problem",
            element("p", "", ...textWithCode(state.error.message)),
            element("p", "jp-KilnRunHistory-hint", ...textWithCode(state.error.fix)),
          ),
        );
        break;
    }
    this.node.replaceChildren(...parts);
  }

  #lists({ versions, runs }: RunHistory): Node[] {
    const { currentVersion, analyzed } = this.#context;
    const parts: Node[] = [element("h4", "", "Versions")];
    if (analyzed && currentVersion === null) {
      parts.push(
        hint(
          "The notebook as it is now is not compiled yet: a run compiles it into a new version.",
        ),
      );
    }
    if (versions.length === 0) {
      parts.push(hint("No version yet."));
    } else {
      const items = [...versions].reverse().map((v) => {
        const item = element(
          "li",
          "jp-KilnRunHistory-version",
          element("span", "jp-KilnRunHistory-versionName", v.version),
          element("span", "jp-KilnRunHistory-time", formatTime(Date.parse(v.createdAt))),
        );
        item.dataset.version = v.version;
        item.title = `spec hash ${v.hash}`;
        if (v.version === currentVersion) {
          item.classList.add("jp-mod-current");
          item.append(element("span", "jp-KilnRunHistory-current", "the notebook now"));
        }
        return item;
      });
      parts.push(element("ul", "jp-KilnRunHistory-versions", ...items));
    }
    parts.push(element("h4", "", "Runs"));
    if (runs.length === 0) parts.push(hint("No run yet: press Run."));
    else
      parts.push(element("ul", "jp-KilnRunHistory-runs", ...runs.map((run) => this.#runItem(run))));
    return parts;
  }

  #runItem(run: PipelineRunRecord): HTMLLIElement {
    const show = element("button", "jp-KilnRunHistory-show jp-mod-styled", "Show on graph");
    show.type = "button";
    show.addEventListener("click", () => this.#options.onShowRun(run.runId));
    const duration =
      run.endTime === undefined ? "" : ` · ${formatDuration(run.endTime - run.startTime)}`;
    const item = element(
      "li",
      "jp-KilnRunHistory-run",
      element("span", "jp-KilnRunHistory-status", run.status),
      element("span", "jp-KilnRunHistory-versionName", run.version),
      element("span", "jp-KilnRunHistory-time", `${formatTime(run.startTime)}${duration}`),
      show,
    );
    item.dataset.runId = run.runId;
    item.dataset.status = run.status;
    item.title = `run ${run.runId}`;
    if (run.runId === this.#context.shownRunId) item.classList.add("jp-mod-shown");
    return item;
  }
}

function hint(text: string): HTMLParagraphElement {
  return element("p", "jp-KilnRunHistory-hint", ...textWithCode(text));
}

function formatTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toLocaleString() : "";
}
