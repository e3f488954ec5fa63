// The Kiln server's pipeline runs and versions as the extension calls them (routes in
// server/src/api/pipelines-routes.ts and info-routes.ts).

import type { PipelineEvent, PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { fetchKiln, requestKiln } from "../request";
import { SseParser } from "../runs/sse-parser";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

/** What `POST /api/pipelines/runs` answers once the run has started. */
export type StartedRun = { runId: string; pipeline: string; version: string; events: string };

/** A registered version of a pipeline (`GET /api/pipelines`). */
export type PipelineVersion = {
  version: string;
  hash: string;
  createdAt: string;
  notebookPath: string;
};

/** What `GET /api/info` answers. */
export type KilnServerInfo = {
  /** MLflow's web UI, or null when the server tracks nowhere. */
  mlflowUrl: string | null;
};

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

/**
 * Compiles the notebook as saved on disk and starts running it.
 *
 * @throws {KilnServerError} `NOTEBOOK_COMPILE` with `problems` when the notebook does not compile,
 *   `PIPELINE_PARAMS` for a param the pipeline does not declare or of the wrong type, and as
 *   {@link requestKiln} does.
 * @example
 * ```ts
 * const { runId } = await startPipelineRun(settings, { notebook: "churn.ipynb", params: { epochs: 5 } });
 * ```
 */
export async function startPipelineRun(
  settings: KilnSettings,
  request: { notebook: string; params?: Record<string, unknown>; force?: boolean },
): Promise<StartedRun> {
  // The server compiles and starts the run before answering: longer than a plain request.
  return (await requestKiln(settings, "/api/pipelines/runs", {
    ...json(request),
    signal: AbortSignal.timeout(60_000),
  })) as StartedRun;
}

/**
 * A run's record: its status and every step's (`GET /api/pipelines/runs/{runId}`).
 *
 * @throws {KilnServerError} `RUN_NOT_FOUND`, and as {@link requestKiln} does.
 */
export async function getPipelineRun(
  settings: KilnSettings,
  runId: string,
): Promise<PipelineRunRecord> {
  return (await requestKiln(
    settings,
    `/api/pipelines/runs/${encodeURIComponent(runId)}`,
  )) as PipelineRunRecord;
}

/**
 * The runs of one pipeline, newest first.
 *
 * @throws {KilnServerError} as {@link requestKiln} does.
 */
export async function listPipelineRuns(
  settings: KilnSettings,
  pipeline: string,
): Promise<PipelineRunRecord[]> {
  const { runs } = (await requestKiln(
    settings,
    `/api/pipelines/runs?pipeline=${encodeURIComponent(pipeline)}`,
  )) as { runs: PipelineRunRecord[] };
  return runs;
}

/**
 * The registered versions of one pipeline, oldest first; empty when it was never compiled.
 *
 * @throws {KilnServerError} as {@link requestKiln} does.
 */
export async function listPipelineVersions(
  settings: KilnSettings,
  pipeline: string,
): Promise<PipelineVersion[]> {
  const { pipelines } = (await requestKiln(settings, "/api/pipelines")) as {
    pipelines: { name: string; versions: PipelineVersion[] }[];
  };
  return pipelines.find((p) => p.name === pipeline)?.versions ?? [];
}

/**
 * A step's output so far, stdout and stderr lines as they came (empty for a cached step).
 *
 * @throws {KilnServerError} `STEP_NOT_FOUND`, and as {@link requestKiln} does.
 */
export async function readStepLog(
  settings: KilnSettings,
  runId: string,
  step: string,
): Promise<string> {
  const path = `/api/pipelines/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/log`;
  const response = await fetchKiln(settings, path);
  try {
    return await response.text();
  } catch (error) {
    throw new KilnServerError(
      "unreachable",
      `The connection to the Kiln server at ${settings.serverUrl} broke while reading step "${step}"'s log`,
      "Open the step again to retry.",
      { serverUrl: settings.serverUrl, response, cause: error },
    );
  }
}

/**
 * Where MLflow's UI is, to link runs.
 *
 * @throws {KilnServerError} as {@link requestKiln} does (a server older than the route answers 404).
 */
export async function getServerInfo(settings: KilnSettings): Promise<KilnServerInfo> {
  return (await requestKiln(settings, "/api/info")) as KilnServerInfo;
}

/**
 * Follows a run's server-sent events from its start, until `run-finished` or until the server
 * ends the stream. Read with fetch rather than EventSource, which cannot send the API key.
 *
 * @throws {KilnServerError} `RUN_NOT_LIVE` (409) for a run this server process did not start,
 *   `unreachable` when the connection breaks, `bad-response` for an event that is not JSON, and
 *   as {@link requestKiln} does; an `AbortError` once `signal` aborts.
 * @example
 * ```ts
 * for await (const event of followPipelineRun(settings, runId, controller.signal)) show(event);
 * ```
 */
export async function* followPipelineRun(
  settings: KilnSettings,
  runId: string,
  signal: AbortSignal,
  options: { silenceMs?: number } = {},
): AsyncGenerator<PipelineEvent> {
  const silenceMs = options.silenceMs ?? SILENT_STREAM_MS;
  const path = `/api/pipelines/runs/${encodeURIComponent(runId)}/events`;
  const response = await fetchKiln(settings, path, {
    headers: { Accept: "text/event-stream" },
    signal,
  });
  if (!response.body) return;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await readWithin(reader, silenceMs);
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof StreamSilentError) {
          throw new KilnServerError(
            "unreachable",
            `The Kiln server at ${settings.serverUrl} sent nothing for ${silenceMs / 1000} s while following run ${runId}`,
            "Check that the server is still running, then open the run from the runs list.",
            { serverUrl: settings.serverUrl, response },
          );
        }
        throw new KilnServerError(
          "unreachable",
          `The connection to the Kiln server at ${settings.serverUrl} broke while following run ${runId}`,
          "Check that the server is still running, then open the run from the runs list.",
          { serverUrl: settings.serverUrl, response, cause: error },
        );
      }
      if (chunk.done) break;
      for (const message of parser.push(decoder.decode(chunk.value, { stream: true }))) {
        // A chunk may hold several events: none after an abort.
        signal.throwIfAborted();
        yield eventOf(settings, runId, message.data, response);
      }
    }
    for (const message of parser.push(decoder.decode())) {
      signal.throwIfAborted();
      yield eventOf(settings, runId, message.data, response);
    }
  } finally {
    parser.end();
    // Stops the download when the caller stops early (or aborts); a no-op after the end.
    await reader.cancel().catch(() => undefined);
  }
}

// The server sends a keep-alive comment every 15 s: this much silence means a dead connection.
const SILENT_STREAM_MS = 45_000;

class StreamSilentError extends Error {}

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StreamSilentError()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function eventOf(
  settings: KilnSettings,
  runId: string,
  data: string,
  response: Response,
): PipelineEvent {
  try {
    const event = JSON.parse(data) as PipelineEvent;
    if (typeof event === "object" && event !== null && typeof event.type === "string") {
      return event;
    }
  } catch {
    // Reported below.
  }
  throw new KilnServerError(
    "bad-response",
    `The Kiln server at ${settings.serverUrl} sent an event of run ${runId} that is not a pipeline event: ${data.slice(0, 80)}`,
    "Check that the extension and the server are of the same Kiln version.",
    { serverUrl: settings.serverUrl, response },
  );
}
