// What a promotion produced: the endpoint's URLs, status, served version, pipeline binding, and
// a curl command to try it, with a button that copies it.

import { Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import { PREDICT_KEY_VARIABLE } from "./curl-example";
import type { EndpointDetails } from "./endpoint-details";

type EndpointCardOptions = {
  /** Puts text on the system clipboard (JupyterLab's `Clipboard.copyToSystem`). */
  copy: (text: string) => void;
};

/**
 * Shows one endpoint's {@link EndpointDetails}.
 *
 * @example
 * ```ts
 * section.addWidget(new EndpointCard(details, { copy: (text) => Clipboard.copyToSystem(text) }));
 * ```
 */
export class EndpointCard extends Widget {
  constructor(details: EndpointDetails, { copy }: EndpointCardOptions) {
    super();
    this.addClass("jp-KilnEndpointCard");
    this.node.dataset.endpoint = details.name;
    const rows: [string, string, ...(Node | string)[]][] = [
      ["status", "Status", ...statusText(details)],
      ["version", "Serves", `${details.model} v${details.version}`],
      ["pipeline", "Pipeline", pipelineText(details)],
      ["infer-url", "v2 URL", element("code", "", details.urls.infer)],
      ["invocations-url", "MLflow URL", element("code", "", details.urls.invocations)],
    ];
    const list = element(
      "dl",
      "jp-KilnEndpointCard-facts",
      ...rows.flatMap(([key, label, ...value]) => {
        const term = element("dt", "", label);
        const description = element("dd", `jp-KilnEndpointCard-${key}`, ...value);
        return [term, description];
      }),
    );
    this.node.append(element("h4", "jp-KilnEndpointCard-title", `Endpoint ${details.name}`), list);
    if (details.curl === null) return;
    const curl = details.curl;
    const copied = element("span", "jp-KilnEndpointCard-copied", "");
    copied.setAttribute("aria-live", "polite");
    const button = element("button", "jp-KilnEndpointCard-copy jp-mod-styled", "Copy curl");
    button.type = "button";
    button.addEventListener("click", () => {
      copy(curl);
      copied.textContent = "Copied";
    });
    this.node.append(
      element("pre", "jp-KilnEndpointCard-curl", curl),
      element("div", "jp-KilnEndpointCard-actions", button, copied),
      element(
        "p",
        "jp-KilnEndpointCard-hint",
        ...textWithCode(
          `Set \`${PREDICT_KEY_VARIABLE}\` to a predict key first: create one with \`kiln keys create --scope predict\`.`,
        ),
      ),
    );
  }
}

function statusText({ status }: EndpointDetails): (Node | string)[] {
  if (status.ready) return ["ready"];
  return ["not ready: ", ...textWithCode(`${status.problem.replace(/\.$/, "")}. ${status.fix}`)];
}

function pipelineText({ pipeline }: EndpointDetails): string {
  if (!pipeline) return "none: the model was logged outside a pipeline run, so nothing retrains it";
  const run = pipeline.runId ? `, run ${pipeline.runId}` : "";
  return `${pipeline.name} ${pipeline.version}${run} (retraining re-runs it)`;
}
