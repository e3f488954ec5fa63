// One endpoint's monitoring report in JupyterLab's main area: the server's page in a sandboxed
// frame, or why it cannot be shown.

import { Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import type { EndpointReportModel } from "./endpoint-report-model";
import { problemNote } from "./problem-note";

/**
 * Shows an {@link EndpointReportModel}. The page is the server's, from its prediction log and
 * model bundles: it runs in a frame with every sandbox restriction (no scripts, no forms, an
 * origin of its own), which the report, inline CSS and SVG, does not need anyway.
 *
 * @example
 * ```ts
 * const view = new EndpointReportView(new EndpointReportModel("drill"));
 * app.shell.add(new MainAreaWidget({ content: view }), "main");
 * ```
 */
export class EndpointReportView extends Widget {
  readonly #report: EndpointReportModel;
  readonly #status = element("div", "jp-KilnReport-status");
  readonly #frame = element("iframe", "jp-KilnReport-frame");

  constructor(report: EndpointReportModel) {
    super();
    this.#report = report;
    this.addClass("jp-KilnReport");
    this.title.label = `Report: ${report.endpoint}`;
    this.title.caption = `The monitoring report of endpoint ${report.endpoint}`;
    this.title.closable = true;
    // Focusable, so that activating the tab has somewhere to put the focus.
    this.node.tabIndex = -1;
    this.#frame.setAttribute("sandbox", "");
    // An empty page of its own until the report comes, rather than loading about:blank.
    this.#frame.setAttribute("srcdoc", "");
    this.#frame.title = this.title.caption;
    this.node.append(this.#status, this.#frame);
    report.changed.connect(this.#render, this);
    this.#render();
  }

  /** The model shown; it is disposed with the view. */
  get report(): EndpointReportModel {
    return this.#report;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.#report.dispose();
    super.dispose();
  }

  #render(): void {
    const state = this.#report.state;
    this.node.dataset.state = state.status;
    switch (state.status) {
      case "unconfigured":
        this.#show(null, hint("Reading the Kiln settings…"));
        return;
      case "loading":
        this.#show(state.html, hint(state.html === null ? "Loading the report…" : "Refreshing…"));
        return;
      case "loaded":
        this.#show(state.html);
        return;
      case "failed":
        this.#show(null, problemNote(state.error.message, state.error.fix));
        return;
    }
  }

  // A page already shown is left alone: setting `srcdoc` again reloads it, scrolled to the top.
  #show(html: string | null, ...status: Node[]): void {
    this.#status.replaceChildren(...status);
    this.#frame.hidden = html === null;
    if (html !== null && this.#frame.getAttribute("srcdoc") !== html) {
      this.#frame.setAttribute("srcdoc", html);
    }
  }
}

function hint(text: string): HTMLParagraphElement {
  return element("p", "jp-KilnSection-hint", ...textWithCode(text));
}
