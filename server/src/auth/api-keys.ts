import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname } from "node:path";

/** What a key lets its holder do: `admin` (run pipelines, promote; also predicts) or `predict`. */
export type KeyScope = "admin" | "predict";

export const KEY_SCOPES: readonly KeyScope[] = ["admin", "predict"];

/** A stored key: only its SHA-256 is kept, so a leaked key file grants nothing. */
export interface StoredKey {
  id: string;
  scope: KeyScope;
  sha256: string;
  label?: string;
  createdAt: string;
}

/** The keys a server accepts: the store's, plus `KILN_ADMIN_KEY` / `KILN_PREDICT_KEY`. */
export interface ApiKeys {
  readonly keys: readonly Pick<StoredKey, "scope" | "sha256">[];
}

/** The key file is unreadable or malformed; carries the path and how to fix it. */
export class KeyStoreError extends Error {
  override readonly name = "KeyStoreError";
}

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

function readStore(file: string): StoredKey[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { keys?: StoredKey[] };
    if (!Array.isArray(parsed.keys)) throw new Error("no `keys` list");
    return parsed.keys;
  } catch (error) {
    throw new KeyStoreError(
      `The key file ${file} cannot be read (${(error as Error).message}). Move it away and create keys again with \`kiln keys create --scope admin\`.`,
    );
  }
}

function writeStore(file: string, keys: StoredKey[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/**
 * Creates a key of `scope`, stores its hash in `file` (mode 0600) and returns the key itself:
 * the only moment it exists in clear, for `kiln keys create` to show once.
 *
 * @example
 * const { key, id } = createApiKey(".kiln/keys.json", "predict", "dashboard");
 */
export function createApiKey(
  file: string,
  scope: KeyScope,
  label?: string,
): { key: string; stored: StoredKey } {
  if (!KEY_SCOPES.includes(scope)) {
    throw new KeyStoreError(`Unknown key scope "${scope}": use one of ${KEY_SCOPES.join(", ")}.`);
  }
  const key = `kiln_${scope}_${randomBytes(24).toString("base64url")}`;
  const stored: StoredKey = {
    id: randomUUID().slice(0, 8),
    scope,
    sha256: hashKey(key),
    createdAt: new Date().toISOString(),
    ...(label ? { label } : {}),
  };
  writeStore(file, [...readStore(file), stored]);
  return { key, stored };
}

/** The stored keys (hashes only), for `kiln keys list`. */
export function listApiKeys(file: string): StoredKey[] {
  return readStore(file);
}

/** Removes a key by id; false when there was none. */
export function revokeApiKey(file: string, id: string): boolean {
  const keys = readStore(file);
  const kept = keys.filter((k) => k.id !== id);
  if (kept.length === keys.length) return false;
  writeStore(file, kept);
  return true;
}

/**
 * The keys a server accepts: the hashes stored in `file` plus the keys given in the environment
 * (`KILN_ADMIN_KEY`, `KILN_PREDICT_KEY`), hashed on load. Keys are never printed or logged.
 *
 * @example
 * const keys = loadApiKeys(".kiln/keys.json");
 * scopeOf(keys, request.headers.get("authorization")); // "admin" | "predict" | undefined
 */
export function loadApiKeys(file: string, env: NodeJS.ProcessEnv = process.env): ApiKeys {
  const keys: Pick<StoredKey, "scope" | "sha256">[] = readStore(file).map(({ scope, sha256 }) => ({
    scope,
    sha256,
  }));
  if (env.KILN_ADMIN_KEY) keys.push({ scope: "admin", sha256: hashKey(env.KILN_ADMIN_KEY) });
  if (env.KILN_PREDICT_KEY) keys.push({ scope: "predict", sha256: hashKey(env.KILN_PREDICT_KEY) });
  return { keys };
}

/**
 * The scope a request's credentials grant: from `Authorization: Bearer <key>` or `X-Kiln-Key`.
 * Hashes are compared in constant time, so response timing does not leak which key was close.
 */
export function scopeOf(
  keys: ApiKeys,
  authorization: string | undefined,
  xKilnKey?: string,
): KeyScope | undefined {
  const presented = xKilnKey ?? /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
  if (!presented) return undefined;
  const hash = Buffer.from(hashKey(presented), "hex");
  let granted: KeyScope | undefined;
  for (const key of keys.keys) {
    if (timingSafeEqual(hash, Buffer.from(key.sha256, "hex")) && granted !== "admin") {
      granted = key.scope;
    }
  }
  return granted;
}

/**
 * The accepted keys, re-read when the key file changes, so keys created or revoked with
 * `kiln keys` take effect on a running server.
 *
 * @example
 * const keys = watchApiKeys(".kiln/keys.json");
 * scopeOf(keys(), header);
 */
export function watchApiKeys(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
  extra: readonly { scope: KeyScope; key: string }[] = [],
): () => ApiKeys {
  let seen: number | undefined;
  let current: ApiKeys = { keys: [] };
  const extraHashes = extra.map(({ scope, key }) => ({ scope, sha256: hashKey(key) }));
  return () => {
    const mtime = existsSync(file) ? statSync(file).mtimeMs : -1;
    if (mtime !== seen) {
      seen = mtime;
      current = { keys: [...loadApiKeys(file, env).keys, ...extraHashes] };
    }
    return current;
  };
}
