import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { checkKilnHealth } from "../request";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { ServerStatusModel, type ServerStatus } from "./server-status-model";

vi.mock("../request", () => ({ checkKilnHealth: vi.fn() }));
const health = vi.mocked(checkKilnHealth);

const settings = (serverUrl: string): KilnSettings => ({ serverUrl, apiKey: "" });
const unreachable = (serverUrl: string) =>
  new KilnServerError(
    "unreachable",
    `Kiln server unreachable at ${serverUrl}`,
    "Start it with `kiln serve`.",
    { serverUrl },
  );

function statesOf(model: ServerStatusModel): ServerStatus["state"][] {
  const states: ServerStatus["state"][] = [];
  model.changed.connect(() => states.push(model.status.state));
  return states;
}

describe("ServerStatusModel", () => {
  let model: ServerStatusModel;
  beforeEach(() => {
    health.mockReset();
    model = new ServerStatusModel({ pollIntervalMs: 60_000 });
  });
  afterEach(() => model.dispose());

  it("is unconfigured until it has settings", () => {
    expect(model.status).toEqual({ state: "unconfigured" });
    expect(health).not.toHaveBeenCalled();
  });

  it("checks the configured server at once: checking, then reachable", async () => {
    health.mockResolvedValue(undefined);
    const states = statesOf(model);
    model.configure(settings("http://127.0.0.1:8700"));
    await vi.waitFor(() => expect(model.status.state).toBe("reachable"));
    expect(states).toEqual(["checking", "reachable"]);
    expect(model.status).toEqual({ state: "reachable", serverUrl: "http://127.0.0.1:8700" });
    expect(health).toHaveBeenCalledWith(settings("http://127.0.0.1:8700"));
  });

  it("says what went wrong and how to fix it when the server does not answer", async () => {
    health.mockRejectedValue(unreachable("http://127.0.0.1:9"));
    model.configure(settings("http://127.0.0.1:9"));
    await vi.waitFor(() => expect(model.status.state).toBe("unreachable"));
    expect(model.status).toEqual({
      state: "unreachable",
      serverUrl: "http://127.0.0.1:9",
      problem: "Kiln server unreachable at http://127.0.0.1:9",
      fix: "Start it with `kiln serve`.",
    });
  });

  it("turns reachable when checked again after the server started", async () => {
    health.mockRejectedValueOnce(unreachable("http://127.0.0.1:8700"));
    model.configure(settings("http://127.0.0.1:8700"));
    await vi.waitFor(() => expect(model.status.state).toBe("unreachable"));
    health.mockResolvedValueOnce(undefined);
    await model.check();
    expect(model.status.state).toBe("reachable");
  });

  it("keeps the answer for the latest settings when an older check answers last", async () => {
    let answerOld: (error: Error) => void = () => {};
    health.mockImplementationOnce(() => new Promise((_, reject) => (answerOld = reject)));
    health.mockResolvedValueOnce(undefined);
    model.configure(settings("http://old:8700"));
    model.configure(settings("http://new:8700"));
    await vi.waitFor(() => expect(model.status.state).toBe("reachable"));
    answerOld(unreachable("http://old:8700"));
    await new Promise((r) => setTimeout(r, 0));
    expect(model.status).toEqual({ state: "reachable", serverUrl: "http://new:8700" });
  });

  it("polls quietly: the line keeps its answer while asking again", async () => {
    vi.useFakeTimers();
    try {
      const polling = new ServerStatusModel({ pollIntervalMs: 1_000 });
      health.mockResolvedValue(undefined);
      polling.configure(settings("http://127.0.0.1:8700"));
      await vi.waitFor(() => expect(polling.status.state).toBe("reachable"));
      const states = statesOf(polling);
      health.mockRejectedValue(unreachable("http://127.0.0.1:8700"));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(states).toEqual(["unreachable"]);
      polling.dispose();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(health).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
  });
});
