/**
 * Fetches an endpoint's report data from the Kiln server:
 * `GET {serverUrl}/api/endpoints/{endpoint}/report.json` with the admin key as bearer token.
 * The server URL defaults to `$KILN_SERVER_URL` (set in notebooks that `kiln start` launched),
 * then `http://127.0.0.1:8700`; the key to `$KILN_ADMIN_KEY`.
 *
 * @example
 * ```ts
 * const data = await fetchReportData({ endpoint: "wafer-quality" });
 * const local = await fetchReportData({ endpoint: "wafer-quality", serverUrl: "http://127.0.0.1:8700", key });
 * ```
 */
import { ReportFetchError } from "./errors";
import type { MonitoringReportData } from "./report-data";

/** Where to get a report: the endpoint, and the server and key (defaults from the environment). */
export type ReportSource = {
  endpoint: string;
  /** Default: `$KILN_SERVER_URL`, else {@link DEFAULT_SERVER_URL}. */
  serverUrl?: string;
  /** An admin API key. Default: `$KILN_ADMIN_KEY`. */
  key?: string;
};

/** Options of {@link fetchReportData}. */
export type FetchReportOptions = {
  /** Give up after this long (ms). Default 30 s. */
  timeoutMs?: number;
};

/** Where `kiln serve` listens unless told otherwise. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:8700";

const START_SERVER =
  "Start the server with `kiln serve` (or `kiln start`), or point KILN_SERVER_URL / { serverUrl } at a running one.";

/** The URL of an endpoint's report data. */
export function reportDataUrl(source: ReportSource): string {
  const base = (source.serverUrl ?? process.env.KILN_SERVER_URL ?? DEFAULT_SERVER_URL).replace(
    /\/+$/,
    "",
  );
  return `${base}/api/endpoints/${encodeURIComponent(source.endpoint)}/report.json`;
}

/**
 * Gets the report data of `source.endpoint`.
 *
 * @throws {ReportFetchError} when no server answers, it answers an error (the message names the
 *   URL, the status and the server's message), or what it answers is not report data.
 */
export async function fetchReportData(
  source: ReportSource,
  options: FetchReportOptions = {},
): Promise<MonitoringReportData> {
  if (typeof source?.endpoint !== "string" || source.endpoint === "") {
    throw new TypeError(
      'fetchReportData expects { endpoint: "<name>" } (optionally serverUrl and key), ' +
        `got ${JSON.stringify(source)}.`,
    );
  }
  const url = reportDataUrl(source);
  const key = source.key ?? process.env.KILN_ADMIN_KEY;
  const timeoutMs = options.timeoutMs ?? 30_000;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const timedOut = (error as Error)?.name === "TimeoutError";
    const why = timedOut
      ? `it did not answer within ${timeoutMs / 1000} s`
      : `${(error as Error)?.message ?? String(error)}${causeText(error)}`;
    throw new ReportFetchError(
      `Could not get the report of endpoint "${source.endpoint}" from ${url}: ${why}. ${START_SERVER}`,
      url,
      undefined,
      undefined,
      { cause: error },
    );
  }
  const text = await response.text();
  if (!response.ok) {
    const server = serverError(text);
    const message = server.message ?? (text.trim().slice(0, 300) || response.statusText);
    throw new ReportFetchError(
      `GET ${url} answered ${response.status}: ${message}` +
        `${/[.!?]$/.test(message) ? "" : "."} ${nextStep(response.status, server.fix)}`,
      url,
      response.status,
      server.message ?? (text.trim() || undefined),
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReportFetchError(
      `GET ${url} answered ${response.status}, but not with JSON (${text.slice(0, 80)}…). ` +
        "Is KILN_SERVER_URL the Kiln server rather than another service?",
      url,
      response.status,
      undefined,
      { cause: error },
    );
  }
  if (!isReportData(data)) {
    throw new ReportFetchError(
      `GET ${url} answered JSON that is not report data (expected endpoint, model and generatedAt). ` +
        "Is the server the same version as this kernel-lib?",
      url,
      response.status,
    );
  }
  return data;
}

function isReportData(data: unknown): data is MonitoringReportData {
  if (typeof data !== "object" || data === null) return false;
  const { endpoint, model, generatedAt } = data as Record<string, unknown>;
  return (
    typeof endpoint === "string" &&
    typeof generatedAt === "string" &&
    typeof model === "object" &&
    model !== null
  );
}

/** The message (and fix) of a Kiln error body (`{ error: { message, fix } }` or `{ error }`). */
function serverError(text: string): { message?: string; fix?: string } {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== "object" || body === null) return {};
  const { error, message } = body as { error?: unknown; message?: unknown };
  if (typeof error === "string") return { message: error };
  if (typeof error === "object" && error !== null) {
    const inner = error as { message?: unknown; fix?: unknown };
    return {
      message: typeof inner.message === "string" ? inner.message : undefined,
      fix: typeof inner.fix === "string" ? inner.fix : undefined,
    };
  }
  return typeof message === "string" ? { message } : {};
}

function nextStep(status: number, fix: string | undefined): string {
  if (status === 401 || status === 403) {
    return (
      "Check the admin key: pass { key } or set KILN_ADMIN_KEY " +
      "(create one with `kiln keys create --scope admin`)."
    );
  }
  if (fix) return fix;
  if (status === 404) {
    return "Check the endpoint's name (GET /api/endpoints lists them) and that the server is the same version as this kernel-lib.";
  }
  return "The Kiln server's log (the terminal of `kiln serve`) says more.";
}

function causeText(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause === undefined || cause === null) return "";
  const detail = typeof cause.code === "string" ? cause.code : cause.message;
  return typeof detail === "string" ? ` (${detail})` : "";
}
