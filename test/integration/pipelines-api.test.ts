// The pipelines API the JupyterLab extension uses: admin key required (it executes code), clear
// 4xx errors for a client's mistakes, and a live event stream of a real run.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PipelineEvent, PipelineRunRecord } from "@kiln/kernel-lib";
import { createKilnApp } from "../../server/src/api/app";
import { loadApiKeys } from "../../server/src/auth/api-keys";
import { PipelineRunManager } from "../../server/src/pipelines/run-manager";
import { EndpointBatchers, EndpointRegistry } from "../../server/src/serving";
import { EndpointManager } from "../../server/src/serving/endpoint-manager";
import { JobQueue } from "../../server/src/jobs";
import { KilnMetrics } from "../../server/src/observability";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const work = mkdtempSync(join(tmpdir(), "kiln-api-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const notebooks = join(work, "notebooks");
mkdirSync(notebooks);

const notebook = tslabNotebook;

writeFileSync(
  join(notebooks, "sum.ipynb"),
  notebook([
    'import * as kiln from "@kiln/kernel-lib";',
    "// @kiln params\nconst count = 5;",
    "// @kiln step=numbers\nconst numbers = Array.from({ length: count }, (_, i) => i + 1);",
    '// @kiln step=total\nconst total = numbers.reduce((a, b) => a + b, 0);\nkiln.log.metric("total", total);\nconsole.log(`total is ${total}`);',
  ]),
);
const modelName = `api-run-model-${Date.now()}`;
writeFileSync(
  join(notebooks, "model.ipynb"),
  notebook([
    'import * as tf from "@tensorflow/tfjs-node";\nimport * as kiln from "@kiln/kernel-lib";',
    [
      "// @kiln step=train",
      "const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });",
      `await kiln.log.model(model, {`,
      `  name: ${JSON.stringify(modelName)},`,
      '  inputSchema: { features: [{ name: "x", dtype: "float32" }] },',
      "});",
    ].join("\n"),
  ]),
);
writeFileSync(join(notebooks, "broken.ipynb"), notebook(["// @kiln step=a\nconst a = b + 1;"]));

const keys = { admin: "admin-key-for-tests", predict: "predict-key-for-tests" };
const registry = new EndpointRegistry();
const jobs = JobQueue.open({
  file: join(work, "jobs.sqlite"),
  models: (name) => registry.get(name),
});
afterAll(() => jobs.stop());
const app = createKilnApp({
  metrics: new KilnMetrics(),
  jobs,
  serving: {
    registry,
    batchers: new EndpointBatchers(),
    endpoints: new EndpointManager({ registry, stateDir: join(work, "state") }),
  },
  keys: () =>
    loadApiKeys(join(work, "no-keys.json"), {
      KILN_ADMIN_KEY: keys.admin,
      KILN_PREDICT_KEY: keys.predict,
    }),
  runs: new PipelineRunManager({
    stateDir: join(work, "state"),
    notebooksRoot: notebooks,
    trackingUri: realMlflowUri(),
  }),
});
const call = (path: string, init: RequestInit & { key?: string } = {}) =>
  app.request(path, {
    ...init,
    headers: {
      "content-type": "application/json",
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
    },
  });
const post = (path: string, body: unknown, key = keys.admin) =>
  call(path, { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body), key });

describe("pipelines API access", () => {
  it("refuses a request without a key (401) and with the predict key (403)", async () => {
    const anonymous = await post("/api/pipelines/runs", { notebook: "sum.ipynb" }, "");
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe(
      "UNAUTHENTICATED",
    );
    const predictOnly = await post("/api/pipelines/runs", { notebook: "sum.ipynb" }, keys.predict);
    expect(predictOnly.status).toBe(403);
    expect(await (await call("/api/pipelines", { key: keys.predict })).json()).toMatchObject({
      error: { code: "FORBIDDEN" },
    });
  });
});

describe("pipelines API input errors", () => {
  it.each([
    ["not JSON", "{", 400, "INVALID_JSON"],
    ["no notebook", {}, 400, "MISSING_FIELD"],
    [
      "a path outside the notebooks folder",
      { notebook: "../secrets.ipynb" },
      400,
      "INVALID_NOTEBOOK_PATH",
    ],
    ["a file that is not a notebook", { notebook: "sum.py" }, 400, "INVALID_NOTEBOOK_PATH"],
    ["a missing notebook", { notebook: "nope.ipynb" }, 404, "NOTEBOOK_NOT_FOUND"],
    ["a notebook that does not compile", { notebook: "broken.ipynb" }, 400, "NOTEBOOK_COMPILE"],
    [
      "params that are not an object",
      { notebook: "sum.ipynb", params: [1] },
      400,
      "INVALID_PARAMS",
    ],
    ["an unknown param", { notebook: "sum.ipynb", params: { nope: 1 } }, 400, undefined],
    [
      "a param of the wrong type",
      { notebook: "sum.ipynb", params: { count: "five" } },
      400,
      undefined,
    ],
  ])("answers %s with a clear 4xx", async (_, body, status, code) => {
    const response = await post("/api/pipelines/runs", body);
    expect(response.status).toBe(status);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    if (code) expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
  });

  it("names the cell and the fix when compilation fails", async () => {
    const response = await post("/api/pipelines/compile", { notebook: "broken.ipynb" });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { message: string; problems: { code: string; cell: { index: number } }[] };
    };
    expect(error.message).toMatch(/cell 0/i);
    expect(error.message).toContain("b");
    expect(error.problems).toEqual([
      expect.objectContaining({
        code: "undefined-name",
        cell: expect.objectContaining({ index: 0 }),
      }),
    ]);
  });

  it("answers 404 for an unknown run", async () => {
    expect((await call("/api/pipelines/runs/no-such-run", { key: keys.admin })).status).toBe(404);
  });
});

describe("analyzing a notebook as it is in the editor", () => {
  const content = (cells: string[]) => JSON.parse(notebook(cells)) as unknown;

  it("answers each step's inputs and outputs without registering a version", async () => {
    const before = await (await call("/api/pipelines", { key: keys.admin })).json();
    const response = await post("/api/pipelines/analyze", {
      path: "draft.ipynb",
      notebook: content([
        "// @kiln step=load\nconst xs = [1, 2, 3];",
        "// @kiln step=double\nconst ys = xs.map((x) => x * 2);",
      ]),
    });
    expect(response.status).toBe(200);
    const { spec, version, problems } = (await response.json()) as {
      spec: { name: string; steps: { name: string; inputs: unknown[]; outputs: string[] }[] };
      version: string | null;
      problems: unknown[];
    };
    expect(problems).toEqual([]);
    expect(version).toBeNull();
    expect(spec.name).toBe("draft");
    expect(spec.steps).toEqual([
      expect.objectContaining({ name: "load", inputs: [], outputs: ["xs"] }),
      expect.objectContaining({ name: "double", inputs: [{ name: "xs", from: "load" }] }),
    ]);
    expect(await (await call("/api/pipelines", { key: keys.admin })).json()).toEqual(before);
  });

  it("names the registered version when the content matches one", async () => {
    const compiled = (await (
      await post("/api/pipelines/compile", { notebook: "sum.ipynb" })
    ).json()) as {
      version: string;
    };
    const response = await post("/api/pipelines/analyze", {
      path: "sum.ipynb",
      notebook: JSON.parse(readFileSync(join(notebooks, "sum.ipynb"), "utf8")) as unknown,
    });
    expect(((await response.json()) as { version: string }).version).toBe(compiled.version);
  });

  it("answers problems with their cells as a result, not an error", async () => {
    const response = await post("/api/pipelines/analyze", {
      notebook: content([
        "// @kiln step=a\nconst a = 1;",
        "// @kiln step=b after=nope\nconst b = a;",
      ]),
    });
    expect(response.status).toBe(200);
    const { spec, problems } = (await response.json()) as {
      spec: unknown;
      problems: { code: string; cell: { index: number }; fix: string }[];
    };
    expect(spec).toBeNull();
    expect(problems).toEqual([
      expect.objectContaining({
        code: "unknown-after",
        cell: expect.objectContaining({ index: 1 }),
      }),
    ]);
  });

  it.each([
    ["a path instead of content", { notebook: "sum.ipynb" }, "MISSING_FIELD"],
    [
      "a path outside the notebooks folder",
      { notebook: {}, path: "../x.ipynb" },
      "INVALID_NOTEBOOK_PATH",
    ],
  ])("refuses %s with a 400", async (_, body, code) => {
    const response = await post("/api/pipelines/analyze", body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  it("needs the admin key", async () => {
    expect((await post("/api/pipelines/analyze", { notebook: {} }, keys.predict)).status).toBe(403);
  });
});

describe("running a pipeline through the API", () => {
  it("compiles, runs with params, streams step events and lists the run", async () => {
    const compiled = await post("/api/pipelines/compile", { notebook: "sum.ipynb" });
    expect(compiled.status).toBe(200);
    const { spec, version } = (await compiled.json()) as {
      spec: { steps: { name: string }[] };
      version: string;
    };
    expect(spec.steps.map((s) => s.name)).toEqual(["numbers", "total"]);
    expect(version).toBe("v1");

    const started = await post("/api/pipelines/runs", {
      notebook: "sum.ipynb",
      params: { count: 10 },
    });
    expect(started.status).toBe(202);
    const { runId, events } = (await started.json()) as { runId: string; events: string };

    const stream = await call(events, { key: keys.admin });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const received: PipelineEvent[] = (await stream.text())
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice("data: ".length)) as PipelineEvent);
    expect(received[0]).toMatchObject({ type: "run-started", runId });
    expect(received.at(-1)).toMatchObject({ type: "run-finished", status: "succeeded" });
    const statuses = received.flatMap((e) =>
      e.type === "step-status" ? [`${e.step}:${e.status}`] : [],
    );
    expect(statuses).toEqual(
      expect.arrayContaining([
        "numbers:running",
        "numbers:succeeded",
        "total:running",
        "total:succeeded",
      ]),
    );

    const run = (await (
      await call(`/api/pipelines/runs/${runId}`, { key: keys.admin })
    ).json()) as PipelineRunRecord;
    expect(run).toMatchObject({ status: "succeeded", params: { count: 10 }, version: "v1" });
    const { runs } = (await (
      await call("/api/pipelines/runs?pipeline=sum", { key: keys.admin })
    ).json()) as {
      runs: PipelineRunRecord[];
    };
    expect(runs.map((r) => r.runId)).toContain(runId);

    const log = await call(`/api/pipelines/runs/${runId}/steps/total/log`, { key: keys.admin });
    expect(log.headers.get("content-type")).toContain("text/plain");
    expect(await log.text()).toContain("total is 55");
    const noStep = await call(`/api/pipelines/runs/${runId}/steps/nope/log`, { key: keys.admin });
    expect(noStep.status).toBe(404);
    expect(((await noStep.json()) as { error: { code: string } }).error.code).toBe(
      "STEP_NOT_FOUND",
    );

    const metric = await fetch(
      `${realMlflowUri()}/api/2.0/mlflow/metrics/get-history?run_id=${run.steps.total!.mlflowRunId}&metric_key=total`,
    );
    expect(((await metric.json()) as { metrics: { value: number }[] }).metrics[0]!.value).toBe(55);
  });
});

describe("the models a run registered", () => {
  it("lists them with the step that logged them and their aliases, for promotion", async () => {
    const started = await post("/api/pipelines/runs", { notebook: "model.ipynb" });
    const { runId, events } = (await started.json()) as { runId: string; events: string };
    await (await call(events, { key: keys.admin })).text(); // until run-finished
    await realMlflowClient().setAlias(modelName, "champion", "1");
    const response = await call(`/api/pipelines/runs/${runId}/models`, { key: keys.admin });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      models: [
        {
          model: modelName,
          version: "1",
          step: "train",
          aliases: ["champion"],
          createdAt: expect.any(Number) as number,
        },
      ],
    });
  });

  it("answers 404 for an unknown run", async () => {
    const response = await call("/api/pipelines/runs/no-such-run/models", { key: keys.admin });
    expect(response.status).toBe(404);
  });
});
