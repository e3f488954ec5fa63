import { Hono } from "hono";

/** What `GET /api/info` answers. */
export interface ServerInfo {
  /**
   * MLflow's web UI, to link runs from a client: a run's page is
   * `<mlflowUrl>/#/experiments/<experimentId>/runs/<runId>` (the experiment id is in the run's
   * record and its `run-started` event). Null when the server tracks nowhere, or in a store that
   * has no web UI (a local path).
   */
  mlflowUrl: string | null;
}

/**
 * What a client of this server needs beyond the API itself; the caller mounts it behind a
 * predict key (an admin key passes too).
 *
 * @example
 * app.route("/api/info", infoRoutes({ trackingUri: "http://127.0.0.1:5000" }));
 */
export function infoRoutes(options: { trackingUri?: string | undefined }): Hono {
  const info: ServerInfo = { mlflowUrl: mlflowUiUrl(options.trackingUri) };
  return new Hono().get("/", (c) => c.json(info));
}

/**
 * The web address of the MLflow server at `trackingUri`: the same origin and path, without the
 * credentials a tracking URI may carry (they are the server's, not the browser's to see).
 *
 * @example
 * mlflowUiUrl("http://user:secret@mlflow:5000/"); // "http://mlflow:5000"
 */
export function mlflowUiUrl(trackingUri: string | undefined): string | null {
  if (!trackingUri) return null;
  let url: URL;
  try {
    url = new URL(trackingUri);
  } catch {
    return null; // a local path: a file store has no web UI
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  url.username = "";
  url.password = "";
  url.search = "";
  url.hash = "";
  return url.href.replace(/\/+$/, "");
}
