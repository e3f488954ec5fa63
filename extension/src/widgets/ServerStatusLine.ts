// The line at the top of the Kiln panel that says whether the Kiln server answers.

import { Widget } from "@lumino/widgets";
import type { ServerStatusModel } from "../models/server-status-model";
import { element, textWithCode } from "./elements";

/**
 * Shows a {@link ServerStatusModel}; when the server is unreachable, says how to start it and
 * offers to check again.
 *
 * @example
 * ```ts
 * panel.addWidget(new ServerStatusLine(serverStatusModel));
 * ```
 */
export class ServerStatusLine extends Widget {
  readonly #model: ServerStatusModel;

  constructor(model: ServerStatusModel) {
    super();
    this.#model = model;
    this.addClass("jp-KilnServerStatus");
    model.changed.connect(this.#render, this);
    this.#render();
  }

  #render(): void {
    const status = this.#model.status;
    this.node.dataset.state = status.state;
    switch (status.state) {
      case "unconfigured":
        this.node.replaceChildren(line("Reading the Kiln settings…"));
        return;
      case "checking":
        this.node.replaceChildren(line(`Checking the Kiln server at ${status.serverUrl}…`));
        return;
      case "reachable":
        this.node.replaceChildren(line(`Kiln server reachable at ${status.serverUrl}`));
        return;
      case "unreachable": {
        const retry = element("button", "jp-KilnServerStatus-retry jp-mod-styled", "Check again");
        retry.type = "button";
        retry.addEventListener("click", () => void this.#model.check());
        this.node.replaceChildren(
          line(`${status.problem}: `, ...textWithCode(lowerFirst(status.fix))),
          retry,
        );
        return;
      }
    }
  }
}

function line(...children: (Node | string)[]): HTMLParagraphElement {
  return element("p", "jp-KilnServerStatus-text", ...children);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
