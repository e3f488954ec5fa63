import { Hono, type Context } from "hono";
import { KilnHttpError } from "../api/http-errors";
import type { ActionLog } from "./action-log";
import { NoPolicyError, type EndpointMonitor } from "./endpoint-monitor";
import { definePolicy, PolicyDefinitionError } from "./policy-definition";
import type { PolicyStore } from "./policy-store";

type PolicyRoutesDeps = {
  monitor: EndpointMonitor;
  policies: PolicyStore;
  actions: ActionLog;
  /** Whether an endpoint exists (policies are only set on promoted endpoints). */
  hasEndpoint: (name: string) => boolean;
};

/**
 * Admin API of monitoring policies, mounted under `/api/endpoints` behind the admin key:
 * set/read/remove an endpoint's policy, run a check or a retraining now, and list the actions
 * taken. A check or retraining answers 202 at once, or its result with `?wait=true`.
 *
 * @example
 * app.route("/api/endpoints", policyRoutes({ monitor, policies, actions, hasEndpoint }));
 */
export function policyRoutes(deps: PolicyRoutesDeps): Hono {
  const routes = new Hono();
  const endpointOf = (c: Context): string => {
    const name = c.req.param("name") ?? "";
    if (!deps.hasEndpoint(name)) {
      throw new KilnHttpError(
        404,
        "ENDPOINT_NOT_FOUND",
        `No endpoint "${name}".`,
        "List endpoints with GET /api/endpoints; promote a model to create one.",
      );
    }
    return name;
  };

  routes.put("/:name/policy", async (c) => {
    const endpoint = endpointOf(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new KilnHttpError(
        400,
        "INVALID_JSON",
        "The request body must be a JSON policy object.",
        'Send e.g. {"conditions": [{"metric": "drift_share", "above": 0.5}], "actions": [{"type": "alert"}]}.',
      );
    }
    try {
      const policy = definePolicy(body);
      deps.monitor.setPolicy(endpoint, policy);
      return c.json({ endpoint, policy });
    } catch (error) {
      if (!(error instanceof PolicyDefinitionError)) throw error;
      throw new KilnHttpError(400, "INVALID_POLICY", error.message, error.problems.join("; "));
    }
  });

  routes.get("/:name/policy", (c) => {
    const endpoint = endpointOf(c);
    const policy = deps.policies.get(endpoint);
    if (!policy) throw noPolicy(endpoint);
    return c.json({ endpoint, policy });
  });

  routes.delete("/:name/policy", (c) => {
    const endpoint = endpointOf(c);
    if (!deps.monitor.deletePolicy(endpoint)) throw noPolicy(endpoint);
    return c.body(null, 204);
  });

  routes.post("/:name/check", async (c) => {
    const endpoint = endpointOf(c);
    return answer(c, () => deps.monitor.check(endpoint));
  });

  routes.post("/:name/retrain", async (c) => {
    const endpoint = endpointOf(c);
    return answer(c, () => deps.monitor.retrain(endpoint));
  });

  routes.get("/:name/actions", (c) => {
    const endpoint = endpointOf(c);
    const limit = Number(c.req.query("limit") ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new KilnHttpError(
        400,
        "INVALID_LIMIT",
        `limit must be an integer from 1 to 10000, got ${c.req.query("limit")}.`,
      );
    }
    return c.json({ endpoint, actions: deps.actions.recent(endpoint, limit) });
  });

  return routes;
}

// Checks and retrainings can take minutes (a pipeline run): 202 unless the client waits.
async function answer(c: Context, work: () => Promise<unknown>): Promise<Response> {
  const wait = c.req.query("wait") === "true";
  let started: Promise<unknown>;
  try {
    started = work();
  } catch (error) {
    throw asHttpError(error);
  }
  if (!wait) {
    started.catch((error: unknown) => console.error(`kiln: ${String(error)}`));
    return c.json(
      { status: "started", actions: `${c.req.path.replace(/\/[^/]+$/, "")}/actions` },
      202,
    );
  }
  try {
    return c.json(await started);
  } catch (error) {
    throw asHttpError(error);
  }
}

function asHttpError(error: unknown): unknown {
  return error instanceof NoPolicyError
    ? new KilnHttpError(404, "NO_POLICY", error.message)
    : error;
}

function noPolicy(endpoint: string): KilnHttpError {
  return new KilnHttpError(
    404,
    "NO_POLICY",
    `Endpoint "${endpoint}" has no monitoring policy.`,
    `Set one with PUT /api/endpoints/${endpoint}/policy (docs/monitoring.md).`,
  );
}
