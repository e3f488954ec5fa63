import type { Context, MiddlewareHandler } from "hono";

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = "X-Request-Id";

/**
 * What a client-supplied request id may look like: 1–128 letters, digits, `.`, `_`, `:`, `-`
 * (UUIDs, ULIDs, trace ids). Anything else is replaced by a generated id, so ids are safe to log,
 * to put in a header and to look up in the prediction log.
 */
export const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

declare module "hono" {
  interface ContextVariableMap {
    /** This request's id (`X-Request-Id`), set by the `requestIds` middleware. */
    requestId: string;
  }
}

/** Whether `id` may be used as a request id as it is. */
export function isSafeRequestId(id: unknown): id is string {
  return typeof id === "string" && SAFE_REQUEST_ID.test(id);
}

/**
 * Gives every request an id: the client's `X-Request-Id` when it is safe (see `SAFE_REQUEST_ID`),
 * else a new UUID. The id is in `c.get("requestId")` for handlers and in the answer's
 * `X-Request-Id` header, errors included; the prediction log keys rows by it.
 *
 * @example
 * app.use("*", requestIds());
 * // curl -H "X-Request-Id: order-42" .../endpoints/drill/invocations → X-Request-Id: order-42
 */
export const requestIds = (): MiddlewareHandler =>
  async function requestIds(c, next) {
    const sent = c.req.header(REQUEST_ID_HEADER);
    const id = isSafeRequestId(sent) ? sent : crypto.randomUUID();
    c.set("requestId", id);
    c.header(REQUEST_ID_HEADER, id);
    await next();
    // Again on the final answer: a handler may have built its Response without the context.
    if (c.res.headers.get(REQUEST_ID_HEADER) !== id) c.header(REQUEST_ID_HEADER, id);
  };

/** This request's id: the middleware's, or a new one where the middleware is not mounted. */
export function requestIdOf(c: Context): string {
  const id = c.get("requestId");
  if (id) return id;
  const created = crypto.randomUUID();
  c.set("requestId", created);
  return created;
}
