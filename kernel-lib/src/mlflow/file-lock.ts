/**
 * A lock file shared by processes on one machine: created with `O_EXCL`, holding the owner's pid,
 * host and a random token. A lock whose owner process is gone (same host, pid not alive) is stale
 * and taken over; on another host it is stale once older than `staleAfterMs`.
 *
 * Limit: taking over a stale lock is check-then-unlink, so two processes that find the same stale
 * lock at the same instant could both take it. Callers only use it where a double holder costs
 * work, not correctness (spool writes are idempotent).
 */
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { hostname } from "node:os";
import { sleep } from "./retry";

type LockContent = { pid: number; host: string; token: string; createdAt: number };

/** Options of {@link FileLock.acquire}. */
export type FileLockOptions = {
  /** Give up after this long; 0 means try once. */
  waitMs?: number;
  /** A lock from another host older than this is considered abandoned. */
  staleAfterMs?: number;
};

/**
 * An acquired lock file; call `release()` when done.
 *
 * @example
 * ```ts
 * const lock = await FileLock.acquire("/tmp/x.lock", { waitMs: 5_000 });
 * if (lock) try { ... } finally { await lock.release(); }
 * ```
 */
export class FileLock {
  readonly path: string;
  #token: string;

  private constructor(path: string, token: string) {
    this.path = path;
    this.#token = token;
  }

  /** Acquires the lock, waiting up to `waitMs`; resolves `undefined` if it stays held. */
  static async acquire(path: string, options?: FileLockOptions): Promise<FileLock | undefined> {
    const opts = { waitMs: 0, staleAfterMs: 10 * 60_000, ...options } satisfies FileLockOptions;
    const deadline = Date.now() + opts.waitMs;
    const token = randomUUID();
    const content: LockContent = {
      pid: process.pid,
      host: hostname(),
      token,
      createdAt: Date.now(),
    };
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      try {
        await fs.writeFile(path, JSON.stringify(content), { flag: "wx" });
        return new FileLock(path, token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      if (await removeIfStale(path, opts.staleAfterMs)) continue;
      if (Date.now() + delay > deadline) return undefined;
      await sleep(delay);
    }
  }

  /** Removes the lock file if it is still ours. */
  async release(): Promise<void> {
    const current = await readLock(this.path);
    if (current?.token === this.#token) await fs.rm(this.path, { force: true });
  }
}

async function readLock(path: string): Promise<LockContent | undefined> {
  try {
    return JSON.parse(await fs.readFile(path, "utf8")) as LockContent;
  } catch {
    return undefined;
  }
}

async function removeIfStale(path: string, staleAfterMs: number): Promise<boolean> {
  const content = await readLock(path);
  if (content === undefined) {
    // Unreadable: either just removed (retry at once) or torn by a crash mid-write.
    const stat = await fs.stat(path).catch(() => undefined);
    if (!stat) return true;
    if (Date.now() - stat.mtimeMs < 5_000) return false;
  } else if (
    content.host === hostname()
      ? isAlive(content.pid)
      : Date.now() - content.createdAt < staleAfterMs
  ) {
    return false;
  }
  await fs.rm(path, { force: true });
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
