import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { promoteModel, type EndpointState } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { loadEndpointDetails, type EndpointDetails } from "./endpoint-details";
import { PromotionModel, type PromotionState } from "./promotion-model";

vi.mock("../api/endpoints-api", () => ({ promoteModel: vi.fn() }));
vi.mock("./endpoint-details", () => ({ loadEndpointDetails: vi.fn() }));
const promote = vi.mocked(promoteModel);
const details = vi.mocked(loadEndpointDetails);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const choice = { model: "drill-anomaly", version: "3", endpoint: "drill" };
const state: EndpointState = {
  name: "drill",
  current: { model: "drill-anomaly", version: "3", promotedAt: "2025-06-01T10:00:00Z" },
};
const shown = { name: "drill", model: "drill-anomaly", version: "3" } as EndpointDetails;

describe("PromotionModel", () => {
  let promotion: PromotionModel;
  beforeEach(() => {
    promote.mockReset();
    details.mockReset();
    promotion = new PromotionModel();
    promotion.configure(settings);
  });
  afterEach(() => promotion.dispose());

  it("promotes the chosen version, then shows the endpoint's details", async () => {
    promote.mockResolvedValue(state);
    details.mockResolvedValue(shown);
    const states: PromotionState["status"][] = [];
    const promoted: EndpointDetails[] = [];
    promotion.changed.connect(() => states.push(promotion.state.status));
    promotion.promoted.connect((_, endpoint) => promoted.push(endpoint));
    await promotion.promote({ ...choice, batching: { maxBatchSize: 64, maxWaitMs: 5 } });
    expect(states).toEqual(["promoting", "promoted"]);
    expect(promote).toHaveBeenCalledWith(
      settings,
      "drill",
      { model: "drill-anomaly", version: "3", batching: { maxBatchSize: 64, maxWaitMs: 5 } },
      expect.any(AbortSignal),
    );
    expect(details).toHaveBeenCalledWith(settings, state);
    expect(promotion.state).toMatchObject({ status: "promoted", endpoint: shown });
    expect(promoted).toEqual([shown]);
  });

  it("sends no batching limits when none were given, so the endpoint keeps its own", async () => {
    promote.mockResolvedValue(state);
    details.mockResolvedValue(shown);
    await promotion.promote(choice);
    expect(promote.mock.calls[0]![2]).toEqual({ model: "drill-anomaly", version: "3" });
  });

  it("shows the server's message and fix when it refuses", async () => {
    const notFound = new KilnServerError(
      "bad-response",
      'Registered model "drill-anomaly" has no version 3.',
      "Check the name and version in MLflow's model registry.",
      { serverUrl: settings.serverUrl, code: "MODEL_VERSION_NOT_FOUND" },
    );
    promote.mockRejectedValue(notFound);
    await promotion.promote(choice);
    expect(promotion.state).toEqual({ status: "failed", choice, error: notFound });
  });

  it("gives up after its timeout, saying so, instead of spinning forever", async () => {
    const slow = new PromotionModel({ timeoutMs: 20 });
    slow.configure(settings);
    promote.mockImplementation(
      (_settings, _endpoint, _request, signal) =>
        new Promise((_, reject) =>
          signal.addEventListener("abort", () =>
            reject(new KilnServerError("unreachable", "aborted", "", { serverUrl: "" })),
          ),
        ),
    );
    await slow.promote(choice);
    expect(slow.state.status).toBe("failed");
    const { error } = slow.state as Extract<PromotionState, { status: "failed" }>;
    expect(error.message).toMatch(/did not finish promoting drill-anomaly v3 within 0\.02 s/);
    expect(error.fix).toMatch(/Endpoints section/);
    slow.dispose();
  });

  it("runs one promotion at a time", async () => {
    let finish: (state: EndpointState) => void = () => undefined;
    promote.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    details.mockResolvedValue(shown);
    const first = promotion.promote(choice);
    await promotion.promote({ ...choice, endpoint: "other" });
    finish(state);
    await first;
    expect(promote).toHaveBeenCalledTimes(1);
  });

  it("follows the promoted endpoint when it serves another version, e.g. after a rollback", async () => {
    promote.mockResolvedValue(state);
    details.mockResolvedValueOnce(shown);
    await promotion.promote(choice);
    const rolledBack: EndpointState = { ...state, current: { ...state.current, version: "2" } };
    await promotion.follow([state]);
    expect(details).toHaveBeenCalledTimes(1);
    details.mockResolvedValueOnce({ ...shown, version: "2" });
    await promotion.follow([rolledBack]);
    expect(details).toHaveBeenLastCalledWith(settings, rolledBack);
    expect(promotion.state).toMatchObject({ status: "promoted", endpoint: { version: "2" } });
  });

  it("refuses to promote before it knows the server", async () => {
    const unconfigured = new PromotionModel();
    await expect(unconfigured.promote(choice)).rejects.toThrow(/call configure\(\) first/);
  });
});
