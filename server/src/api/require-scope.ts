import type { MiddlewareHandler } from "hono";
import { scopeOf, type ApiKeys, type KeyScope } from "../auth/api-keys";
import { KilnHttpError } from "./http-errors";

/**
 * Lets a request through only with a key of `scope` (an admin key also passes `predict`).
 *
 * @example
 * app.use("/api/pipelines/*", requireScope(keys, "admin"));
 */
export const requireScope = (keys: () => ApiKeys, scope: KeyScope): MiddlewareHandler =>
  async function requireScope(c, next) {
    const granted = scopeOf(keys(), c.req.header("authorization"), c.req.header("x-kiln-key"));
    if (!granted) {
      throw new KilnHttpError(
        401,
        "UNAUTHENTICATED",
        "This endpoint needs an API key.",
        `Send "Authorization: Bearer <${scope} key>". Create one with \`kiln keys create --scope ${scope}\`, or set KILN_${scope.toUpperCase()}_KEY for the server.`,
      );
    }
    if (scope === "admin" && granted !== "admin") {
      throw new KilnHttpError(
        403,
        "FORBIDDEN",
        "This endpoint runs code or changes deployments, so it needs the admin key; a predict key was sent.",
        "Use the admin key.",
      );
    }
    await next();
  };
