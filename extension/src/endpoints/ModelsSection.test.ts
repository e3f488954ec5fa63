// @vitest-environment happy-dom
import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { Widget } from "@lumino/widgets";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listRunModels, promoteModel, type RunModel } from "../api/endpoints-api";
import { listPipelineRuns } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { loadEndpointDetails, type EndpointDetails } from "./endpoint-details";
import { ModelsSection } from "./ModelsSection";
import { PipelineModelsModel } from "./pipeline-models-model";
import { PromotionModel, type PromotionChoice } from "./promotion-model";

vi.mock("../api/runs-api", () => ({ listPipelineRuns: vi.fn() }));
vi.mock("../api/endpoints-api", () => ({ listRunModels: vi.fn(), promoteModel: vi.fn() }));
vi.mock("./endpoint-details", () => ({ loadEndpointDetails: vi.fn() }));

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const run = { runId: "run-7", pipeline: "drill", version: "v2", status: "succeeded" };
const model: RunModel = {
  model: "drill-anomaly",
  version: "3",
  step: "train",
  aliases: ["champion"],
  createdAt: 0,
};
const choice: PromotionChoice = { model: "drill-anomaly", version: "3", endpoint: "drill" };
const details: EndpointDetails = {
  name: "drill",
  model: "drill-anomaly",
  version: "3",
  pipeline: { name: "drill", version: "v2" },
  urls: {
    infer: "http://x/v2/models/drill/infer",
    invocations: "http://x/endpoints/drill/invocations",
  },
  status: { ready: true },
  curl: "curl …",
};

describe("ModelsSection", () => {
  let models: PipelineModelsModel;
  let promotion: PromotionModel;
  let section: ModelsSection;
  let askPromotion: ReturnType<
    typeof vi.fn<(m: readonly RunModel[], s: RunModel) => Promise<PromotionChoice | null>>
  >;
  const texts = (selector: string) =>
    [...section.node.querySelectorAll(selector)].map((node) => node.textContent);
  const shown = () =>
    section.node.querySelector(".jp-KilnSection-hint, .jp-KilnProblem")?.textContent;

  beforeEach(() => {
    vi.clearAllMocks();
    vi.mocked(listPipelineRuns).mockResolvedValue([run as PipelineRunRecord]);
    vi.mocked(listRunModels).mockResolvedValue([model]);
    vi.mocked(promoteModel).mockResolvedValue({
      name: "drill",
      current: { ...model, promotedAt: "t" },
    });
    vi.mocked(loadEndpointDetails).mockResolvedValue(details);
    models = new PipelineModelsModel({ pollIntervalMs: 60_000 });
    promotion = new PromotionModel();
    askPromotion = vi.fn(async () => choice);
    section = new ModelsSection({ models, promotion, askPromotion, copy: vi.fn() });
    Widget.attach(section, document.body);
  });
  afterEach(() => {
    section.dispose();
    models.dispose();
    promotion.dispose();
  });

  it("asks for a notebook while none is open", () => {
    expect(shown()).toBe("Open a notebook to see the models its pipeline registered.");
  });

  it("lists the versions the pipeline's latest run registered, each with Promote", async () => {
    models.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(texts(".jp-KilnModels-name")).toEqual(["drill-anomaly v3"]));
    expect(texts(".jp-KilnModels-run")).toEqual(["Registered by run run-7 of drill v2"]);
    expect(texts(".jp-KilnModels-details")).toEqual(["step train · @champion"]);
    expect(texts(".jp-KilnModels-promote")).toEqual(["Promote"]);
  });

  it("promotes what the dialog chose, then shows the endpoint", async () => {
    models.configure(settings);
    promotion.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(texts(".jp-KilnModels-promote")).toEqual(["Promote"]));
    section.node.querySelector<HTMLButtonElement>(".jp-KilnModels-promote")!.click();
    expect(askPromotion).toHaveBeenCalledWith([model], model);
    await vi.waitFor(() => expect(texts(".jp-KilnEndpointCard-title")).toEqual(["Endpoint drill"]));
    expect(promoteModel).toHaveBeenCalledWith(
      settings,
      "drill",
      { model: "drill-anomaly", version: "3" },
      expect.any(AbortSignal),
    );
  });

  it("says the promotion is under way, with Promote disabled, until it ends", async () => {
    let finish: () => void = () => undefined;
    vi.mocked(promoteModel).mockImplementation(
      () => new Promise((resolve) => (finish = () => resolve({} as never))),
    );
    models.configure(settings);
    promotion.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(texts(".jp-KilnModels-promote")).toEqual(["Promote"]));
    section.node.querySelector<HTMLButtonElement>(".jp-KilnModels-promote")!.click();
    await vi.waitFor(() =>
      expect(texts(".jp-KilnModels-promotion p")).toEqual([
        "Promoting drill-anomaly v3 to endpoint drill: the server downloads, verifies and warms up the model…",
      ]),
    );
    expect(section.node.querySelector<HTMLButtonElement>(".jp-KilnModels-promote")!.disabled).toBe(
      true,
    );
    finish();
    await vi.waitFor(() => expect(texts(".jp-KilnEndpointCard-title")).toEqual(["Endpoint drill"]));
    expect(section.node.querySelector<HTMLButtonElement>(".jp-KilnModels-promote")!.disabled).toBe(
      false,
    );
  });

  it("does nothing when the dialog is cancelled", async () => {
    askPromotion.mockResolvedValue(null);
    models.configure(settings);
    promotion.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(texts(".jp-KilnModels-promote")).toEqual(["Promote"]));
    section.node.querySelector<HTMLButtonElement>(".jp-KilnModels-promote")!.click();
    await vi.waitFor(() => expect(askPromotion).toHaveBeenCalled());
    expect(promoteModel).not.toHaveBeenCalled();
  });

  it("shows a refused promotion with the server's message and fix", async () => {
    vi.mocked(promoteModel).mockRejectedValue(
      new KilnServerError(
        "bad-response",
        "This server has no MLflow tracking server to promote from.",
        "Start it with MLFLOW_TRACKING_URI set (kiln start does this).",
        { serverUrl: settings.serverUrl, code: "NO_MODEL_REGISTRY" },
      ),
    );
    promotion.configure(settings);
    await promotion.promote(choice);
    expect(texts(".jp-KilnModels-failure p")).toEqual([
      "Promoting drill-anomaly v3 to endpoint drill failed.",
      "This server has no MLflow tracking server to promote from: start it with MLFLOW_TRACKING_URI set (kiln start does this).",
    ]);
  });

  it("says why the models cannot be listed, and tries again on a click", async () => {
    vi.mocked(listPipelineRuns).mockRejectedValueOnce(
      new KilnServerError(
        "unreachable",
        "Kiln server unreachable at http://127.0.0.1:8700",
        "Start it with `npm start` or `kiln serve`, or change the server URL in Settings → Kiln.",
        { serverUrl: settings.serverUrl },
      ),
    );
    models.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() =>
      expect(shown()).toBe(
        "Kiln server unreachable at http://127.0.0.1:8700: start it with npm start or kiln serve, or change the server URL in Settings → Kiln.",
      ),
    );
    section.node.querySelector<HTMLButtonElement>(".jp-KilnModels-retry")!.click();
    await vi.waitFor(() => expect(texts(".jp-KilnModels-name")).toEqual(["drill-anomaly v3"]));
  });

  it("says how to get models when the pipeline never ran, or its runs logged none", async () => {
    vi.mocked(listPipelineRuns).mockResolvedValue([]);
    models.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(shown()).toMatch(/^Pipeline drill has no succeeded run yet/));
    vi.mocked(listPipelineRuns).mockResolvedValue([run as PipelineRunRecord]);
    vi.mocked(listRunModels).mockResolvedValue([]);
    await models.refresh();
    expect(shown()).toMatch(/registered no model\. Log one in a step with kiln\.log\.model/);
  });
});
