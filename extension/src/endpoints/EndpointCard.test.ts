// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { describe, expect, it, vi } from "vitest";
import type { EndpointDetails } from "./endpoint-details";
import { EndpointCard } from "./EndpointCard";

const details: EndpointDetails = {
  name: "drill",
  model: "drill-anomaly",
  version: "3",
  pipeline: { name: "drill", version: "v2", runId: "run-1" },
  urls: {
    infer: "http://127.0.0.1:8700/v2/models/drill/infer",
    invocations: "http://127.0.0.1:8700/endpoints/drill/invocations",
  },
  status: { ready: true },
  curl: "curl -sS -X POST 'http://127.0.0.1:8700/v2/models/drill/infer' \\\n  -d '{}'",
};
const text = (card: EndpointCard, key: string) =>
  card.node.querySelector(`.jp-KilnEndpointCard-${key}`)?.textContent;

describe("EndpointCard", () => {
  it("shows the endpoint's status, version, pipeline binding and URLs", () => {
    const card = new EndpointCard(details, { copy: vi.fn() });
    expect(card.node.querySelector("h4")?.textContent).toBe("Endpoint drill");
    expect(text(card, "status")).toBe("ready");
    expect(text(card, "version")).toBe("drill-anomaly v3");
    expect(text(card, "pipeline")).toBe("drill v2, run run-1 (retraining re-runs it)");
    expect(text(card, "infer-url")).toBe(details.urls.infer);
    expect(text(card, "invocations-url")).toBe(details.urls.invocations);
  });

  it("copies the curl example it shows, and says how to get a predict key", () => {
    const copy = vi.fn();
    const card = new EndpointCard(details, { copy });
    Widget.attach(card, document.body);
    expect(text(card, "curl")).toBe(details.curl);
    card.node.querySelector<HTMLButtonElement>(".jp-KilnEndpointCard-copy")!.click();
    expect(copy).toHaveBeenCalledWith(details.curl);
    expect(text(card, "copied")).toBe("Copied");
    expect(text(card, "hint")).toBe(
      "Set KILN_PREDICT_KEY to a predict key first: create one with kiln keys create --scope predict.",
    );
    card.dispose();
  });

  it("says why an endpoint is not ready, and has no curl without the model's inputs", () => {
    const card = new EndpointCard(
      {
        ...details,
        pipeline: null,
        status: { ready: false, problem: 'No model "drill" is served.', fix: "Promote it again." },
        curl: null,
      },
      { copy: vi.fn() },
    );
    expect(text(card, "status")).toBe('not ready: No model "drill" is served. Promote it again.');
    expect(text(card, "pipeline")).toMatch(/^none: the model was logged outside a pipeline run/);
    expect(card.node.querySelector(".jp-KilnEndpointCard-curl")).toBeNull();
  });
});
