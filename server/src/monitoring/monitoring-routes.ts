import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { KilnHttpError } from "../api/http-errors";
import type { ServedModel } from "../serving/endpoint-model";
import { parseFeedback } from "./feedback";
import type { FeedbackStore } from "./feedback-store";
import { parsePerformanceQuery, type PerformanceTask } from "./performance-query";
import { performanceReport } from "./performance-report";
import type { PredictionLog } from "./prediction-log";
import { monitoringTables } from "./prediction-log-lake";
import type { PredictionLogReader } from "./prediction-log-reader";
import { SampleRateError, type PredictionLogSettings } from "./prediction-log-settings";
import { usageReport } from "./usage-report";

/** What the monitoring routes read and change. */
export type MonitoringDeps = {
  log: Pick<PredictionLog, "flush" | "stats">;
  settings: PredictionLogSettings;
  reader: PredictionLogReader;
  feedback: FeedbackStore;
  /** The lake the tables are in (shown by the prediction-log route). */
  lakeUri: string;
  /** The model an endpoint serves now. */
  served(endpoint: string): ServedModel | undefined;
  /** Every endpoint the server has (promoted, serving or not). */
  endpoints(): string[];
  /** The task the served bundle declares, if any (see `bundleTask`). */
  declaredTask?(endpoint: string): Promise<PerformanceTask | undefined>;
  /** An autoencoder's reconstruction errors on its training sample (`trainingReconstructionErrors`). */
  trainingErrors?(endpoint: string): readonly number[] | undefined;
};

/** Largest feedback body, in bytes (10,000 labels fit comfortably). */
const MAX_FEEDBACK_BYTES = 5 * 1024 * 1024;

const ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The monitoring routes: `POST /endpoints/{name}/feedback` (labels for logged predictions; mount
 * behind the predict key), and behind the admin key `GET /api/endpoints/{name}/performance`,
 * `GET /api/endpoints/{name}/usage?days=7` and `GET|PUT /api/endpoints/{name}/prediction-log`
 * (the sample rate and the queue). Without `deps` (a server without a prediction log) every route
 * answers 503 `MONITORING_UNAVAILABLE`.
 *
 * @example
 * app.route("/", monitoringRoutes({ log, settings, reader, feedback, lakeUri, served, endpoints }));
 */
export function monitoringRoutes(deps: MonitoringDeps | undefined): Hono {
  const routes = new Hono();
  const need = (): MonitoringDeps => {
    if (deps) return deps;
    throw new KilnHttpError(
      503,
      "MONITORING_UNAVAILABLE",
      "This server keeps no prediction log.",
      "Start it with `kiln serve` (startKilnServer), which logs predictions to the lake.",
    );
  };

  routes.post(
    "/endpoints/:name/feedback",
    bodyLimit({
      maxSize: MAX_FEEDBACK_BYTES,
      onError: (c) =>
        c.json(
          new KilnHttpError(
            413,
            "FEEDBACK_TOO_LARGE",
            `The feedback body is larger than ${MAX_FEEDBACK_BYTES} bytes.`,
            "Send the labels in several requests.",
          ).body(),
          413,
        ),
    }),
    async (c) => {
      const monitoring = need();
      const endpoint = await knownEndpoint(monitoring, c);
      const labels = parseFeedback(await jsonBody(c));
      return c.json({ endpoint, ...(await monitoring.feedback.add(endpoint, labels)) });
    },
  );

  routes.get("/api/endpoints/:name/performance", async (c) => {
    const monitoring = need();
    const endpoint = await knownEndpoint(monitoring, c);
    const query = parsePerformanceQuery(c.req.query(), await monitoring.declaredTask?.(endpoint));
    await monitoring.log.flush();
    return c.json(
      await performanceReport(
        {
          reader: monitoring.reader,
          labels: (name) => monitoring.feedback.labels(name),
          features: (name) => monitoring.served(name)?.inputs.map((f) => f.name),
          ...(monitoring.trainingErrors ? { trainingErrors: monitoring.trainingErrors } : {}),
        },
        endpoint,
        query,
      ),
    );
  });

  routes.get("/api/endpoints/:name/usage", async (c) => {
    const monitoring = need();
    const endpoint = await knownEndpoint(monitoring, c);
    const { days: text = "7", ...rest } = c.req.query();
    const days = Number(text);
    if (Object.keys(rest).length > 0 || !Number.isSafeInteger(days) || days < 1 || days > 366) {
      throw new KilnHttpError(
        400,
        "INVALID_QUERY",
        Object.keys(rest).length > 0
          ? `Unknown query parameter ${Object.keys(rest)
              .map((n) => `"${n}"`)
              .join(", ")}; usage takes only "days".`
          : `days is "${text}": expected a whole number from 1 to 366.`,
        "Ask e.g. ?days=7 (the default).",
      );
    }
    await monitoring.log.flush();
    return c.json(await usageReport(monitoring.reader, endpoint, days));
  });

  routes.get("/api/endpoints/:name/prediction-log", async (c) => {
    const monitoring = need();
    return c.json(logState(monitoring, await knownEndpoint(monitoring, c)));
  });

  routes.put("/api/endpoints/:name/prediction-log", async (c) => {
    const monitoring = need();
    const endpoint = await knownEndpoint(monitoring, c);
    const body = (await jsonBody(c)) as { sampleRate?: unknown } | null;
    if (typeof body !== "object" || body === null || !("sampleRate" in body)) {
      throw new KilnHttpError(
        400,
        "MISSING_FIELD",
        '"sampleRate" is required.',
        'Send {"sampleRate": 0.1} (a number from 0 to 1), or {"sampleRate": null} for the server-wide rate.',
      );
    }
    try {
      monitoring.settings.set(endpoint, body.sampleRate as number | null);
    } catch (error) {
      if (error instanceof SampleRateError) {
        throw new KilnHttpError(
          400,
          "INVALID_SAMPLE_RATE",
          error.message,
          'Send e.g. {"sampleRate": 0.1}.',
        );
      }
      throw error;
    }
    return c.json(logState(monitoring, endpoint));
  });

  return routes;
}

function logState(monitoring: MonitoringDeps, endpoint: string) {
  const { sampleRate, source } = monitoring.settings.describe(endpoint);
  return {
    endpoint,
    sampleRate,
    sampleRateSource: source,
    lake: monitoring.lakeUri,
    tables: monitoringTables(endpoint),
    queue: monitoring.log.stats(),
  };
}

/** The endpoint named in the path, if the server has it (or ever logged it). */
async function knownEndpoint(monitoring: MonitoringDeps, c: Context): Promise<string> {
  const name = c.req.param("name") ?? "";
  if (!ENDPOINT_NAME.test(name)) {
    throw new KilnHttpError(
      400,
      "INVALID_ENDPOINT_NAME",
      `"${name}" is not an endpoint name.`,
      "Endpoint names are lowercase letters, digits, '_' and '-' (at most 63), starting with a letter or digit.",
    );
  }
  if (
    monitoring.served(name) ||
    monitoring.endpoints().includes(name) ||
    (await monitoring.reader.columns(monitoringTables(name).requests)) !== undefined
  ) {
    return name;
  }
  const known = monitoring.endpoints();
  throw new KilnHttpError(
    404,
    "ENDPOINT_NOT_FOUND",
    `No endpoint "${name}". ${known.length > 0 ? `Endpoints: ${known.map((e) => `"${e}"`).join(", ")}.` : "No endpoint exists yet."}`,
    "List them with GET /api/endpoints; promote a model to create one.",
  );
}

async function jsonBody(c: Context): Promise<unknown> {
  try {
    return (await c.req.json()) as unknown;
  } catch {
    throw new KilnHttpError(
      400,
      "INVALID_JSON",
      "The request body is not valid JSON.",
      'Send a JSON object with "Content-Type: application/json".',
    );
  }
}
