// HTTP to the Kiln server. Every failure becomes a KilnServerError that says what to do.

import type { KilnSettings } from "./settings";
import { KilnServerError } from "./tokens";

/** Long enough for a busy server, short enough that the panel does not hang on a dead address. */
const REQUEST_TIMEOUT_MS = 5_000;

const START_SERVER_FIX =
  "Start it with `npm start` or `kiln serve`, or change the server URL in Settings → Kiln.";

/**
 * Sends a request to the Kiln server and returns its JSON answer.
 *
 * @throws {KilnServerError} `invalid-url` when `settings.serverUrl` is not an http(s) URL,
 *   `unreachable` when nothing answers (or the browser may not read the answer),
 *   `bad-response` when the server answers with an error status or a body that is not JSON.
 * @example
 * ```ts
 * const pipelines = await requestKiln(settings, "/api/pipelines");
 * ```
 */
export async function requestKiln(
  settings: KilnSettings,
  path: string,
  init: RequestInit = {},
): Promise<unknown> {
  const response = await fetchKiln(settings, path, init);
  try {
    return await response.json();
  } catch (error) {
    throw new KilnServerError(
      "bad-response",
      `The server at ${settings.serverUrl} answered ${path} with something other than JSON`,
      "Check that the server URL in Settings → Kiln points at a Kiln server.",
      { serverUrl: settings.serverUrl, response, cause: error },
    );
  }
}

/**
 * Sends a request to the Kiln server and returns its successful answer unread, for a body that
 * is not JSON (a step's log) or is read as it comes (a run's event stream). Without a `signal`
 * in `init`, the request and the reading of its body give up after a few seconds.
 *
 * @throws {KilnServerError} as {@link requestKiln} does, except for the body, which is not read.
 * @example
 * ```ts
 * const log = await (await fetchKiln(settings, `/api/pipelines/runs/${runId}/steps/train/log`)).text();
 * ```
 */
export async function fetchKiln(
  settings: KilnSettings,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  const url = urlOf(settings.serverUrl, path);
  const headers = new Headers(init.headers);
  if (settings.apiKey !== "") headers.set("Authorization", `Bearer ${settings.apiKey}`);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers,
      signal: init.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw new KilnServerError(
      "unreachable",
      `Kiln server unreachable at ${settings.serverUrl}`,
      START_SERVER_FIX,
      { serverUrl: settings.serverUrl, cause: error },
    );
  }
  if (!response.ok) throw await errorOf(settings, path, response);
  return response;
}

/**
 * Asks the Kiln server's `GET /health` whether it is up.
 *
 * @throws {KilnServerError} as {@link requestKiln} does, and `bad-response` when something other
 *   than a Kiln server answers.
 * @example
 * ```ts
 * await checkKilnHealth({ serverUrl: "http://127.0.0.1:8700", apiKey: "" });
 * ```
 */
export async function checkKilnHealth(settings: KilnSettings): Promise<void> {
  const body = await requestKiln(settings, "/health");
  if ((body as { status?: unknown } | null)?.status !== "ok") {
    throw new KilnServerError(
      "bad-response",
      `The server at ${settings.serverUrl} answers /health, but not as a Kiln server does`,
      "Check that the server URL in Settings → Kiln points at a Kiln server.",
      { serverUrl: settings.serverUrl },
    );
  }
}

/** Kiln's error body, `{ error: { code, message, fix?, problems? } }` (server/src/api/http-errors.ts). */
type KilnErrorBody = {
  error?: { code?: unknown; message?: unknown; fix?: unknown; problems?: unknown };
};

// The server's own message and fix say more than the status; other servers get a generic one.
async function errorOf(
  settings: KilnSettings,
  path: string,
  response: Response,
): Promise<KilnServerError> {
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as KilnErrorBody | undefined;
  const error = body?.error ?? {};
  const authFix = "Set an API key (`kiln keys create --scope admin`) in Settings → Kiln.";
  const fix =
    typeof error.fix === "string"
      ? error.fix
      : response.status === 401 || response.status === 403
        ? authFix
        : "Check that the server URL in Settings → Kiln points at a Kiln server.";
  return new KilnServerError(
    "bad-response",
    typeof error.message === "string"
      ? error.message
      : `The Kiln server at ${settings.serverUrl} answered ${path} with HTTP ${response.status}`,
    fix,
    {
      serverUrl: settings.serverUrl,
      response,
      ...(typeof error.code === "string" ? { code: error.code } : {}),
      ...(Array.isArray(error.problems) ? { problems: error.problems as unknown[] } : {}),
    },
  );
}

function urlOf(serverUrl: string, path: string): string {
  let base: URL;
  try {
    base = new URL(serverUrl);
  } catch (error) {
    throw invalidUrl(serverUrl, error);
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") throw invalidUrl(serverUrl);
  // A server URL may carry a path prefix (behind a proxy): keep it.
  return `${base.href.replace(/\/+$/, "")}${path}`;
}

function invalidUrl(serverUrl: string, cause?: unknown): KilnServerError {
  return new KilnServerError(
    "invalid-url",
    `The Kiln server URL "${serverUrl}" is not an http(s) URL`,
    "Set it in Settings → Kiln, for example http://127.0.0.1:8700.",
    { serverUrl, cause },
  );
}
