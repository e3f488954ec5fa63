import { randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** What a key lets its holder do: `admin` (run pipelines, promote; also predicts) or `predict`. */
export type KeyScope = "admin" | "predict";

/** The two keys of one Kiln server. */
export interface ApiKeys {
  admin: string;
  predict: string;
}

/**
 * Loads the server's API keys: `KILN_ADMIN_KEY` / `KILN_PREDICT_KEY` when set, else the keys stored
 * in `file`, else new random keys written to `file` with mode 0600. Keys are never printed or
 * logged; users read them from the file (or set the variables).
 *
 * @example
 * const keys = loadApiKeys(".kiln/keys.json");
 * scopeOf(keys, request.headers.get("authorization")); // "admin" | "predict" | undefined
 */
export function loadApiKeys(file: string, env: NodeJS.ProcessEnv = process.env): ApiKeys {
  const stored: Partial<ApiKeys> = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Partial<ApiKeys>)
    : {};
  // Only keys generated here are persisted: a key given in the environment stays there.
  const generated: Partial<ApiKeys> = {};
  const keys: ApiKeys = {
    admin: env.KILN_ADMIN_KEY || stored.admin || (generated.admin = newKey()),
    predict: env.KILN_PREDICT_KEY || stored.predict || (generated.predict = newKey()),
  };
  if (generated.admin || generated.predict) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...stored, ...generated }, null, 2), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return keys;
}

const newKey = () => `kiln_${randomBytes(24).toString("base64url")}`;

/**
 * The scope a request's credentials grant: from `Authorization: Bearer <key>` or `X-Kiln-Key`.
 * Compared in constant time, so response timing does not leak key prefixes.
 */
export function scopeOf(
  keys: ApiKeys,
  authorization: string | undefined,
  xKilnKey?: string,
): KeyScope | undefined {
  const presented = xKilnKey ?? /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
  if (!presented) return undefined;
  if (sameKey(presented, keys.admin)) return "admin";
  if (sameKey(presented, keys.predict)) return "predict";
  return undefined;
}

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
