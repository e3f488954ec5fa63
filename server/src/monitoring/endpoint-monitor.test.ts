import { createServer } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ActionLog } from "./action-log";
import { EndpointMonitor, NoPolicyError } from "./endpoint-monitor";
import type { MonitoringSnapshot } from "./policy-conditions";
import { definePolicy } from "./policy-definition";
import { PolicyStore } from "./policy-store";
import type { RetrainOutcome } from "./retraining";

const drifted: MonitoringSnapshot = {
  rows: 300,
  drift: { value: { share: 0.8, datasetDrift: true, drifted: ["a", "b"] } },
  fallbackRate: { value: 0 },
  dq: { unavailable: "no suite" },
  performance: { unavailable: "no labels" },
  performanceAlerts: { unavailable: "no labels" },
};
const calm: MonitoringSnapshot = {
  ...drifted,
  drift: { value: { share: 0, datasetDrift: false, drifted: [] } },
};
const promoted: RetrainOutcome = {
  decision: "promoted",
  runId: "r1",
  pipeline: { name: "p", version: "v1" },
  metric: "mae",
  champion: { model: "m", version: "1", score: 3 },
  candidate: { model: "m", version: "2", score: 1 },
  alias: "champion",
};

function setup(
  snapshot: () => MonitoringSnapshot,
  webhook?: string,
  outcome: RetrainOutcome = promoted,
) {
  const stateDir = mkdtempSync(join(tmpdir(), "kiln-monitor-"));
  const policies = new PolicyStore(stateDir);
  const actions = new ActionLog(stateDir);
  const retrained: string[] = [];
  const monitor = new EndpointMonitor({
    policies,
    actions,
    snapshot: async () => snapshot(),
    retrainer: {
      retrain: async (endpoint) => {
        retrained.push(endpoint);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return outcome;
      },
    },
  });
  monitor.setPolicy(
    "drill",
    definePolicy({
      conditions: [{ metric: "drift_share", above: 0.5 }],
      actions: [{ type: "alert", ...(webhook ? { webhook } : {}) }, { type: "retrain" }],
      retrain: { holdout: { table: "h" }, metric: "reconstruction_mse" },
    }),
  );
  return { monitor, actions, retrained, stateDir };
}

describe("EndpointMonitor", () => {
  it("records a check and takes no action while no condition holds", async () => {
    const { monitor, actions, retrained } = setup(() => calm);
    const result = await monitor.check("drill");
    expect(result.conditions.map((c) => c.holds)).toEqual([false]);
    expect(retrained).toEqual([]);
    expect(actions.recent("drill").map((a) => a.kind)).toEqual(["check"]);
  });

  it("alerts, posts the alert to the webhook and retrains when a condition holds; the log survives a restart", async () => {
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.end("ok");
      });
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    const { port } = server.address() as { port: number };
    try {
      const { monitor, retrained, stateDir } = setup(
        () => drifted,
        `http://127.0.0.1:${port}/hook`,
      );
      const result = await monitor.check("drill", "test");
      expect(result.actions.map((a) => a.kind)).toEqual(["check", "alert", "webhook", "retrain"]);
      expect(retrained).toEqual(["drill"]);
      expect(received).toEqual([
        expect.objectContaining({ kind: "alert", reason: "drift_share 0.8 > 0.5" }),
      ]);
      const reread = new ActionLog(stateDir).recent("drill");
      expect(reread.map((a) => a.kind)).toEqual(["retrain", "webhook", "alert", "check"]);
      expect(reread[0]!.details).toMatchObject({ decision: "promoted" });
      expect(reread[1]!.details).toMatchObject({ delivered: true });
    } finally {
      server.close();
    }
  });

  it("records a webhook that cannot be reached as not delivered, and still retrains", async () => {
    const { monitor, retrained } = setup(() => drifted, "http://127.0.0.1:9/unreachable");
    const result = await monitor.check("drill");
    expect(result.actions.find((a) => a.kind === "webhook")?.details).toMatchObject({
      delivered: false,
      error: expect.stringMatching(/after 3 attempts/),
    });
    expect(retrained).toEqual(["drill"]);
  }, 20_000);

  it("alerts when the retrained model did not beat the champion (kept as challenger)", async () => {
    const kept: RetrainOutcome = { ...promoted, decision: "kept-champion", alias: "challenger" };
    const { monitor, actions } = setup(() => calm, undefined, {
      ...kept,
      candidate: { model: "m", version: "2", score: 5 },
    });
    const retrained = await monitor.retrain("drill");
    expect(retrained.details).toMatchObject({ decision: "kept-champion" });
    expect(actions.recent("drill").map((a) => [a.kind, a.reason])).toEqual([
      ["alert", "retrained m v2 (mae 5) did not beat the champion v1 (3): kept as challenger"],
      ["retrain", "requested"],
    ]);
  });

  it("runs one check or retraining per endpoint at a time", async () => {
    const { monitor, retrained } = setup(() => drifted);
    await Promise.all([monitor.check("drill"), monitor.retrain("drill"), monitor.check("drill")]);
    expect(retrained).toEqual(["drill", "drill", "drill"]);
  });

  it("runs checks and retrainings on their cron schedules until stopped", async () => {
    const { monitor, actions, retrained } = setup(() => calm);
    monitor.setPolicy(
      "drill",
      definePolicy({
        schedule: "* * * * * *", // every second (croner's optional seconds field)
        retrainSchedule: "* * * * * *",
        conditions: [{ metric: "drift_share", above: 0.5 }],
        actions: [{ type: "alert" }],
        retrain: { holdout: { table: "h" }, metric: "reconstruction_mse" },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    await monitor.stop();
    const seen = actions.recent("drill");
    expect(
      seen.filter((a) => a.kind === "check" && a.reason === "schedule").length,
    ).toBeGreaterThan(0);
    expect(retrained.length).toBeGreaterThan(0);
    const count = seen.length;
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(actions.recent("drill")).toHaveLength(count);
  });

  it("refuses endpoints without a policy, saying how to set one", async () => {
    const { monitor } = setup(() => calm);
    expect(() => monitor.check("other")).toThrow(NoPolicyError);
    expect(() => monitor.check("other")).toThrow(/PUT \/api\/endpoints\/other\/policy/);
    expect(monitor.deletePolicy("drill")).toBe(true);
    expect(() => monitor.retrain("drill")).toThrow(NoPolicyError);
  });
});
