import { describe, expect, it } from "vitest";
import { loadApiKeys } from "../auth/api-keys";
import type { JobQueue } from "../jobs/job-queue";
import { KilnMetrics } from "../observability/kiln-metrics";
import { EndpointRegistry } from "../serving/endpoint-registry";
import { EndpointBatchers } from "../serving/micro-batcher";
import { createKilnApp, type KilnAppDeps } from "./app";
import { mlflowUiUrl } from "./info-routes";

const keys = { admin: "info-admin-key", predict: "info-predict-key" };

// The info route reads nothing but the tracking URI: the other services are stand-ins.
function appTrackingIn(trackingUri: string | undefined) {
  return createKilnApp({
    keys: () =>
      loadApiKeys("/nonexistent/keys.json", {
        KILN_ADMIN_KEY: keys.admin,
        KILN_PREDICT_KEY: keys.predict,
      }),
    runs: {},
    serving: { registry: new EndpointRegistry(), batchers: new EndpointBatchers(), endpoints: {} },
    jobs: {} as JobQueue,
    metrics: new KilnMetrics(),
    ...(trackingUri ? { trackingUri } : {}),
  } as unknown as KilnAppDeps);
}

const get = (app: ReturnType<typeof appTrackingIn>, key?: string) =>
  app.request("/api/info", key ? { headers: { authorization: `Bearer ${key}` } } : {});

describe("GET /api/info", () => {
  it("tells a client where MLflow's UI is, to link runs", async () => {
    const response = await get(appTrackingIn("http://127.0.0.1:5005"), keys.predict);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ mlflowUrl: "http://127.0.0.1:5005" });
  });

  it("answers null when the server tracks nowhere", async () => {
    expect(await (await get(appTrackingIn(undefined), keys.admin)).json()).toEqual({
      mlflowUrl: null,
    });
  });

  it("needs a key, of either scope", async () => {
    const app = appTrackingIn("http://127.0.0.1:5005");
    const anonymous = await get(app);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    expect((await get(app, keys.admin)).status).toBe(200);
    expect((await get(app, keys.predict)).status).toBe(200);
  });
});

describe("mlflowUiUrl", () => {
  it.each([
    ["http://127.0.0.1:5000", "http://127.0.0.1:5000"],
    ["https://mlflow.example/prefix/", "https://mlflow.example/prefix"],
    ["http://user:secret@mlflow:5000/?x=1", "http://mlflow:5000"],
    ["file:///tmp/mlruns", null],
    ["./mlruns", null],
    [undefined, null],
  ])("%s → %s", (trackingUri, expected) => {
    expect(mlflowUiUrl(trackingUri)).toBe(expected);
  });
});
