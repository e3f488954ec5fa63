import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MlflowClient } from "./client";
import { MlflowApiError, MlflowUnavailableError } from "./errors";
import { MlflowTransport } from "./http";
import { realMlflowUri } from "../../../test/support/real-mlflow";

const trackingUri = realMlflowUri();
vi.setConfig({ testTimeout: 60_000 });
const upstream = new URL(trackingUri);

type Fault = "503" | "429" | "reset" | "evil-host";

// A proxy in front of the real server that injects scripted faults, one per request.
const faults: Fault[] = [];
const seen: string[] = [];
let proxyUri = "";
const proxy = http.createServer((req, res) => {
  seen.push(`${req.method} ${req.url}`);
  const fault = faults.shift();
  if (fault === "503") {
    res.writeHead(503, { "Content-Type": "text/plain" }).end("upstream busy");
    return;
  }
  if (fault === "429") {
    res.writeHead(429, { "Retry-After": "0" }).end();
    return;
  }
  if (fault === "reset") {
    req.socket.destroy();
    return;
  }
  const headers = { ...req.headers, host: fault === "evil-host" ? "evil.example" : upstream.host };
  const forward = http.request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  req.pipe(forward);
});

beforeAll(async () => {
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  proxyUri = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())));

const fastRetry = { attempts: 5, baseDelayMs: 10, maxDelayMs: 50, maxElapsedMs: 5_000 };

describe("MlflowTransport retries", () => {
  it("retries 503, 429 and a reset connection, then the write lands exactly once", async () => {
    const client = new MlflowClient({
      trackingUri: proxyUri,
      retry: fastRetry,
      spoolDir: mkdtempSync(join(tmpdir(), "kiln-spool-")),
    });
    const experiment = await client.getOrCreateExperiment(`retry-${randomUUID()}`);
    const run = await client.createRun({ experimentId: experiment.experimentId });
    seen.length = 0;
    faults.push("503", "429", "reset");
    await client.logMetric(run.info.runId, "loss", 0.5, { step: 7, timestamp: 1234 });
    expect(seen.filter((s) => s.includes("log-batch"))).toHaveLength(4);
    const history = await client.getMetricHistory(run.info.runId, "loss");
    expect(history).toEqual([{ key: "loss", value: 0.5, step: 7, timestamp: 1234 }]);
    await client.close();
  });

  it("never retries a 4xx", async () => {
    const transport = new MlflowTransport({ trackingUri: proxyUri, retry: fastRetry });
    seen.length = 0;
    const error = await transport
      .json({ method: "GET", path: "/api/2.0/mlflow/runs/get", params: { run_id: "f".repeat(32) } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST", status: 404 });
    expect(seen).toHaveLength(1);
  });

  it("gives up with MlflowUnavailableError after the configured attempts", async () => {
    const transport = new MlflowTransport({
      trackingUri: proxyUri,
      retry: { ...fastRetry, attempts: 3 },
    });
    seen.length = 0;
    faults.push("503", "503", "503", "503");
    const error = await transport
      .json({
        method: "GET",
        path: "/api/2.0/mlflow/experiments/search",
        params: { max_results: 1 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowUnavailableError);
    expect(error).toMatchObject({ attempts: 3 });
    expect((error as Error).message).toMatch(/HTTP 503 \(upstream busy\)/);
    expect(seen).toHaveLength(3);
    faults.length = 0;
  });

  it("maps the security middleware's plain-text 403 to MlflowApiError", async () => {
    const transport = new MlflowTransport({ trackingUri: proxyUri, retry: fastRetry });
    faults.push("evil-host");
    const error = await transport
      .json({
        method: "GET",
        path: "/api/2.0/mlflow/experiments/search",
        params: { max_results: 1 },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ status: 403, errorCode: "HTTP_403" });
    expect((error as MlflowApiError).serverMessage).toMatch(/Host header/);
  });

  it("does not retry a non-idempotent create whose request may have arrived", async () => {
    const client = new MlflowClient({
      trackingUri: proxyUri,
      retry: fastRetry,
      spoolDir: mkdtempSync(join(tmpdir(), "kiln-spool-")),
    });
    const experiment = await client.getOrCreateExperiment(`create-${randomUUID()}`);
    faults.push("reset");
    await expect(client.createRun({ experimentId: experiment.experimentId })).rejects.toThrow(
      MlflowUnavailableError,
    );
    await client.close();
  });
});
