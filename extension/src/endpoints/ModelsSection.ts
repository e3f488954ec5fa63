// The Kiln panel's Models section: the model versions the current pipeline's latest run
// registered, each with a Promote action, and what the latest promotion produced.

import { Panel, Widget } from "@lumino/widgets";
import type { RunModel } from "../api/endpoints-api";
import { element, textWithCode } from "../widgets/elements";
import { EndpointCard } from "./EndpointCard";
import type { PipelineModelsModel } from "./pipeline-models-model";
import { problemNote } from "./problem-note";
import type { PromotionChoice, PromotionModel } from "./promotion-model";

type ModelsSectionOptions = {
  models: PipelineModelsModel;
  promotion: PromotionModel;
  /** Asks what to promote where (the promote dialog); null when cancelled. */
  askPromotion: (
    models: readonly RunModel[],
    selected: RunModel,
  ) => Promise<PromotionChoice | null>;
  /** Puts text on the system clipboard. */
  copy: (text: string) => void;
};

/**
 * Shows a {@link PipelineModelsModel} and a {@link PromotionModel}.
 *
 * @example
 * ```ts
 * panel.addWidget(new ModelsSection({ models, promotion, askPromotion, copy }));
 * ```
 */
export class ModelsSection extends Panel {
  readonly #opts: ModelsSectionOptions;
  readonly #list = new Widget();
  readonly #result = new Panel();

  constructor(options: ModelsSectionOptions) {
    super();
    this.#opts = options;
    this.addClass("jp-KilnModels");
    const refresh = element("button", "jp-KilnModels-refresh jp-mod-styled", "Refresh");
    refresh.type = "button";
    refresh.title = "Look for models of a newer run now";
    refresh.addEventListener("click", () => void options.models.refresh());
    this.addWidget(
      new Widget({
        node: element("div", "jp-KilnSection-header", element("h3", "", "Models"), refresh),
      }),
    );
    this.addWidget(this.#list);
    this.#result.addClass("jp-KilnModels-promotion");
    this.addWidget(this.#result);
    options.models.changed.connect(this.#renderModels, this);
    options.promotion.changed.connect(this.#renderPromotion, this);
    this.#renderModels();
    this.#renderPromotion();
  }

  #renderModels(): void {
    const state = this.#opts.models.state;
    const node = this.#list.node;
    node.dataset.state = state.status;
    switch (state.status) {
      case "no-pipeline":
        node.replaceChildren(hint("Open a notebook to see the models its pipeline registered."));
        return;
      case "unconfigured":
        node.replaceChildren(hint("Reading the Kiln settings…"));
        return;
      case "loading":
        node.replaceChildren(hint(`Looking for the models of pipeline ${state.pipeline}…`));
        return;
      case "failed": {
        const retry = element("button", "jp-KilnModels-retry jp-mod-styled", "Try again");
        retry.type = "button";
        retry.addEventListener("click", () => void this.#opts.models.refresh());
        node.replaceChildren(problemNote(state.error.message, state.error.fix), retry);
        return;
      }
      case "loaded": {
        const { pipeline, run, models } = state;
        if (run === null) {
          node.replaceChildren(
            hint(
              `Pipeline ${pipeline} has no succeeded run yet. Run it: the models its steps log with \`kiln.log.model\` appear here.`,
            ),
          );
          return;
        }
        if (models.length === 0) {
          node.replaceChildren(
            hint(
              `The latest runs of pipeline ${pipeline} registered no model. Log one in a step with \`kiln.log.model(model, { name, inputSchema })\`.`,
            ),
          );
          return;
        }
        node.replaceChildren(
          element(
            "p",
            "jp-KilnModels-run",
            `Registered by run ${run.runId} of ${pipeline} ${run.version}`,
          ),
          element("ul", "jp-KilnModels-list", ...models.map((model) => this.#item(models, model))),
        );
        return;
      }
    }
  }

  #item(models: readonly RunModel[], model: RunModel): HTMLLIElement {
    const promote = element("button", "jp-KilnModels-promote jp-mod-styled", "Promote");
    promote.type = "button";
    promote.title = `Serve ${model.model} v${model.version} on an endpoint`;
    promote.disabled = this.#opts.promotion.state.status === "promoting";
    promote.addEventListener("click", () => void this.#promote(models, model));
    const details = [model.step ? `step ${model.step}` : "", ...model.aliases.map((a) => `@${a}`)]
      .filter((part) => part !== "")
      .join(" · ");
    const item = element(
      "li",
      "jp-KilnModels-item",
      element("span", "jp-KilnModels-name", `${model.model} v${model.version}`),
      element("span", "jp-KilnModels-details", details),
      promote,
    );
    item.dataset.model = model.model;
    item.dataset.version = model.version;
    return item;
  }

  async #promote(models: readonly RunModel[], model: RunModel): Promise<void> {
    const choice = await this.#opts.askPromotion(models, model);
    if (choice === null) return;
    await this.#opts.promotion.promote(choice);
    // The new alias shows on the version.
    await this.#opts.models.refresh();
  }

  #renderPromotion(): void {
    const state = this.#opts.promotion.state;
    this.#result.node.dataset.state = state.status;
    for (const widget of [...this.#result.widgets]) widget.dispose();
    // Promote buttons are disabled while a promotion runs: one at a time.
    this.#renderModels();
    switch (state.status) {
      case "idle":
        return;
      case "promoting": {
        const { model, version, endpoint } = state.choice;
        this.#result.addWidget(
          new Widget({
            node: hint(
              `Promoting ${model} v${version} to endpoint ${endpoint}: the server downloads, verifies and warms up the model…`,
            ),
          }),
        );
        return;
      }
      case "failed": {
        const { model, version, endpoint } = state.choice;
        this.#result.addWidget(
          new Widget({
            node: element(
              "div",
              "jp-KilnModels-failure",
              element("p", "", `Promoting ${model} v${version} to endpoint ${endpoint} failed.`),
              problemNote(state.error.message, state.error.fix),
            ),
          }),
        );
        return;
      }
      case "promoted":
        this.#result.addWidget(new EndpointCard(state.endpoint, { copy: this.#opts.copy }));
        return;
    }
  }
}

function hint(text: string): HTMLParagraphElement {
  return element("p", "jp-KilnSection-hint", ...textWithCode(text));
}
