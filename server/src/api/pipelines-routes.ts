import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { PipelineEvent } from "@kiln/kernel-lib";
import type { PipelineRunManager } from "../pipelines/run-manager";
import { KilnHttpError } from "./http-errors";

const SSE_KEEP_ALIVE_MS = 15_000;

type RunRequest = { notebook?: unknown; params?: unknown; force?: unknown; path?: unknown };

/**
 * The pipeline API used by the JupyterLab extension. Every route runs code or reveals it, so
 * the caller mounts it behind the admin key.
 *
 * @example
 * app.route("/api/pipelines", pipelinesRoutes(new PipelineRunManager({ ... })));
 */
export function pipelinesRoutes(
  runs: PipelineRunManager,
  options: { keepAliveMs?: number } = {},
): Hono {
  const keepAliveMs = options.keepAliveMs ?? SSE_KEEP_ALIVE_MS;
  const routes = new Hono();

  routes.get("/", async (c) => c.json({ pipelines: await runs.listPipelines() }));

  routes.post("/compile", async (c) => {
    const { notebook } = await jsonBody<RunRequest>(c.req.raw);
    return c.json(await runs.compile(requireString(notebook, "notebook")));
  });

  // The notebook's content (not a path): what the editor holds, saved or not. Problems are the
  // analysis' result, so they answer 200; only a body that is not a notebook at all is a 400.
  routes.post("/analyze", async (c) => {
    const { notebook, path } = await jsonBody<RunRequest>(c.req.raw);
    if (typeof notebook !== "object" || notebook === null || Array.isArray(notebook)) {
      throw new KilnHttpError(
        400,
        "MISSING_FIELD",
        '"notebook" must be the notebook\'s JSON content (an object with "cells").',
        'Send {"notebook": {"cells": [...], "metadata": {...}, "nbformat": 4, "nbformat_minor": 5}, "path": "churn.ipynb"}.',
      );
    }
    if (path !== undefined && typeof path !== "string") {
      throw new KilnHttpError(
        400,
        "INVALID_NOTEBOOK_PATH",
        '"path" must be a string.',
        "Send the notebook's path relative to the notebooks folder, or leave it out.",
      );
    }
    return c.json(await runs.analyze(notebook, path));
  });

  routes.post("/runs", async (c) => {
    const body = await jsonBody<RunRequest>(c.req.raw);
    if (
      body.params !== undefined &&
      (typeof body.params !== "object" || body.params === null || Array.isArray(body.params))
    ) {
      throw new KilnHttpError(
        400,
        "INVALID_PARAMS",
        '"params" must be an object of parameter values.',
        'Send e.g. {"params": {"lr": 0.01}}.',
      );
    }
    if (body.force !== undefined && typeof body.force !== "boolean") {
      throw new KilnHttpError(
        400,
        "INVALID_FORCE",
        '"force" must be true or false.',
        "Send a boolean or leave it out.",
      );
    }
    const started = await runs.start({
      notebook: requireString(body.notebook, "notebook"),
      ...(body.params ? { params: body.params as Record<string, unknown> } : {}),
      ...(body.force ? { force: true } : {}),
    });
    return c.json({ ...started, events: `/api/pipelines/runs/${started.runId}/events` }, 202);
  });

  routes.get("/runs", async (c) => c.json({ runs: await runs.listRuns(c.req.query("pipeline")) }));

  routes.get("/runs/:runId", async (c) => c.json(await runs.getRun(c.req.param("runId"))));

  routes.get("/runs/:runId/models", async (c) =>
    c.json({ models: await runs.models(c.req.param("runId")) }),
  );

  routes.get("/runs/:runId/steps/:step/log", async (c) =>
    c.text(await runs.stepLog(c.req.param("runId"), c.req.param("step"))),
  );

  routes.get("/runs/:runId/events", async (c) => {
    const runId = c.req.param("runId");
    const live = runs.follow(runId);
    if (!live) {
      // Not started by this server process: the record says how it went.
      await runs.getRun(runId);
      throw new KilnHttpError(
        409,
        "RUN_NOT_LIVE",
        `Run ${runId} was not started by this server process, so it has no event stream.`,
        `Read its record with GET /api/pipelines/runs/${runId}.`,
      );
    }
    return streamSSE(c, async (stream) => {
      const queue: PipelineEvent[] = [...live.events];
      let wake: () => void = () => undefined;
      const onEvent = (event: PipelineEvent) => {
        queue.push(event);
        wake();
      };
      live.feed.on("event", onEvent);
      stream.onAbort(() => {
        live.feed.off("event", onEvent);
      });
      // A step may run for minutes without an event: a comment now and then tells the client
      // (and proxies) that the connection is alive.
      const keepAlive = setInterval(() => {
        void stream.write(": keep-alive\n\n").catch(() => undefined);
      }, keepAliveMs);
      try {
        for (;;) {
          const event = queue.shift();
          if (!event) {
            if (live.finished) break;
            await new Promise<void>((resume) => (wake = resume));
            continue;
          }
          await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
          if (event.type === "run-finished") break;
        }
      } finally {
        clearInterval(keepAlive);
        live.feed.off("event", onEvent);
      }
    });
  });

  return routes;
}

async function jsonBody<T>(request: Request): Promise<T> {
  try {
    const body = (await request.json()) as unknown;
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return body as T;
  } catch {
    // Reported below.
  }
  throw new KilnHttpError(
    400,
    "INVALID_JSON",
    "The request body must be a JSON object.",
    'Send Content-Type: application/json and a body like {"notebook": "example.ipynb"}.',
  );
}

function requireString(value: unknown, field: string): string {
  if (typeof value === "string" && value.length > 0) return value;
  throw new KilnHttpError(
    400,
    "MISSING_FIELD",
    `"${field}" must be a non-empty string.`,
    `Add "${field}" to the JSON body.`,
  );
}
