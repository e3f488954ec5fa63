// Against a real HTTP server on the loopback interface, not a mocked fetch: the event stream is
// read from a real chunked response.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { PipelineEvent } from "@kiln/kernel-lib/spec";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { followPipelineRun, listPipelineVersions, readStepLog, startPipelineRun } from "./runs-api";

const events: PipelineEvent[] = [
  { type: "run-started", runId: "r1", pipeline: "sum", version: "v1", steps: ["a"], time: 1 },
  { type: "step-status", runId: "r1", step: "a", status: "running", time: 2 },
  { type: "step-log", runId: "r1", step: "a", stream: "stdout", line: "total is 10", time: 3 },
  { type: "run-finished", runId: "r1", status: "succeeded", durationMs: 5, time: 4 },
];
const frame = (event: PipelineEvent) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

let server: Server;
let settings: KilnSettings;
let lastRequest: { request: IncomingMessage; body: string } | undefined;

const routes: Record<string, (response: ServerResponse) => void> = {
  "GET /api/pipelines/runs/r1/events": (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    // Cut mid-frame, as a network may: the reader must put the pieces together.
    const stream = events.map(frame).join("");
    const cut = stream.indexOf("total is");
    response.write(stream.slice(0, cut));
    setTimeout(() => response.end(stream.slice(cut)), 30);
  },
  "GET /api/pipelines/runs/broken/events": (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(frame(events[0]!));
    setTimeout(() => response.destroy(), 30);
  },
  "GET /api/pipelines/runs/silent/events": (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" });
    // Keep-alive comments are signs of life; after them, nothing at all.
    response.write(`${frame(events[0]!)}: keep-alive\n\n`);
    setTimeout(() => response.write(": keep-alive\n\n"), 100);
    setTimeout(() => response.destroy(), 2_000);
  },
  "GET /api/pipelines/runs/old/events": (response) => {
    response.writeHead(409, { "content-type": "application/json" }).end(
      JSON.stringify({
        error: { code: "RUN_NOT_LIVE", message: "Run old was not started by this server process." },
      }),
    );
  },
  "GET /api/pipelines/runs/garbled/events": (response) => {
    response.writeHead(200, { "content-type": "text/event-stream" }).end("data: {not json\n\n");
  },
  "GET /api/pipelines/runs/r1/steps/a%20b/log": (response) => {
    response.writeHead(200, { "content-type": "text/plain" }).end("line 1\nline 2\n");
  },
  "GET /api/pipelines": (response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        pipelines: [
          { name: "other", versions: [{ version: "v9" }] },
          { name: "sum", versions: [{ version: "v1" }, { version: "v2" }] },
        ],
      }),
    );
  },
  "POST /api/pipelines/runs": (response) => {
    response
      .writeHead(202, { "content-type": "application/json" })
      .end(JSON.stringify({ runId: "r2", pipeline: "sum", version: "v2", events: "/x" }));
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      lastRequest = { request, body };
      const route = routes[`${request.method} ${request.url}`];
      if (route) route(response);
      else response.writeHead(404).end("{}");
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  settings = {
    serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey: "kiln_key",
  };
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((done) => server.close(() => done()));
});

async function collect(runId: string, signal = new AbortController().signal) {
  const received: PipelineEvent[] = [];
  for await (const event of followPipelineRun(settings, runId, signal)) received.push(event);
  return received;
}

async function failureOf(promise: Promise<unknown>): Promise<KilnServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KilnServerError);
  return error as KilnServerError;
}

describe("followPipelineRun", () => {
  it("yields the run's events in order, with the API key sent as a bearer token", async () => {
    expect(await collect("r1")).toEqual(events);
    expect(lastRequest?.request.headers.authorization).toBe("Bearer kiln_key");
    expect(lastRequest?.request.headers.accept).toBe("text/event-stream");
  });

  it("says the connection broke when the server goes away mid-run", async () => {
    const received: PipelineEvent[] = [];
    const error = await failureOf(
      (async () => {
        for await (const event of followPipelineRun(
          settings,
          "broken",
          new AbortController().signal,
        )) {
          received.push(event);
        }
      })(),
    );
    expect(received).toEqual([events[0]]);
    expect(error.reason).toBe("unreachable");
    expect(error.message).toMatch(/broke while following run broken/);
  });

  it("gives up on a connection that goes silent, past keep-alive comments", async () => {
    const received: PipelineEvent[] = [];
    const error = await failureOf(
      (async () => {
        const signal = new AbortController().signal;
        for await (const event of followPipelineRun(settings, "silent", signal, {
          silenceMs: 300,
        })) {
          received.push(event);
        }
      })(),
    );
    expect(received).toEqual([events[0]]);
    expect(error.reason).toBe("unreachable");
    expect(error.message).toMatch(/sent nothing for 0.3 s while following run silent/);
  });

  it("passes on the server's refusal of a run it did not start", async () => {
    const error = await failureOf(collect("old"));
    expect(error.code).toBe("RUN_NOT_LIVE");
    expect(error.response?.status).toBe(409);
  });

  it("refuses an event that is not JSON, naming the run", async () => {
    const error = await failureOf(collect("garbled"));
    expect(error.reason).toBe("bad-response");
    expect(error.message).toMatch(/run garbled .*not a pipeline event/);
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    const received: PipelineEvent[] = [];
    const following = (async () => {
      for await (const event of followPipelineRun(settings, "r1", controller.signal)) {
        received.push(event);
        controller.abort();
      }
    })();
    await expect(following).rejects.toThrow();
    expect(received).toEqual([events[0]]);
  });
});

describe("the other run routes", () => {
  it("starts a run with the notebook and params as JSON", async () => {
    const started = await startPipelineRun(settings, {
      notebook: "sum.ipynb",
      params: { count: 4 },
    });
    expect(started).toEqual({ runId: "r2", pipeline: "sum", version: "v2", events: "/x" });
    expect(JSON.parse(lastRequest!.body)).toEqual({ notebook: "sum.ipynb", params: { count: 4 } });
    expect(lastRequest?.request.headers["content-type"]).toBe("application/json");
  });

  it("reads a step's log as text, the step's name escaped in the path", async () => {
    expect(await readStepLog(settings, "r1", "a b")).toBe("line 1\nline 2\n");
  });

  it("lists one pipeline's versions, and none for a pipeline never compiled", async () => {
    expect((await listPipelineVersions(settings, "sum")).map((v) => v.version)).toEqual([
      "v1",
      "v2",
    ]);
    expect(await listPipelineVersions(settings, "new")).toEqual([]);
  });
});
