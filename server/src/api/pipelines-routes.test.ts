// The run event stream of the pipelines API, with a run manager stand-in: the real one is
// exercised end to end in test/integration/pipelines-api.test.ts.
import { EventEmitter } from "node:events";
import type { PipelineEvent } from "@kiln/kernel-lib";
import { describe, expect, it } from "vitest";
import type { LiveRun, PipelineRunManager } from "../pipelines/run-manager";
import { pipelinesRoutes } from "./pipelines-routes";

const started: PipelineEvent = {
  type: "run-started",
  runId: "r1",
  pipeline: "p",
  version: "v1",
  steps: ["slow"],
  time: 1,
};
const finished: PipelineEvent = {
  type: "run-finished",
  runId: "r1",
  status: "succeeded",
  durationMs: 300,
  time: 2,
};

describe("GET /runs/{runId}/events", () => {
  it("sends keep-alive comments while a step runs without events, then the rest", async () => {
    const live: LiveRun = { events: [started], feed: new EventEmitter(), finished: false };
    const runs = { follow: (runId: string) => (runId === "r1" ? live : undefined) };
    const routes = pipelinesRoutes(runs as unknown as PipelineRunManager, { keepAliveMs: 50 });
    const response = await routes.request("/runs/r1/events");
    setTimeout(() => {
      live.events.push(finished);
      live.finished = true;
      live.feed.emit("event", finished);
    }, 300);
    const text = await response.text();
    expect(text.indexOf("event: run-started")).toBe(0);
    const keepAlives = text.split(": keep-alive\n\n").length - 1;
    expect(keepAlives).toBeGreaterThanOrEqual(2);
    expect(text.indexOf(": keep-alive")).toBeLessThan(text.indexOf("event: run-finished"));
    expect(text.trimEnd().endsWith(`data: ${JSON.stringify(finished)}`)).toBe(true);
  });
});
