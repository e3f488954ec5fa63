import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One entry of an endpoint's monitoring log: a check, an alert, a webhook delivery, a retraining. */
export type MonitoringAction = {
  at: string;
  endpoint: string;
  kind: "check" | "alert" | "webhook" | "retrain";
  /** Why it happened: the conditions that held, "schedule", or "requested". */
  reason: string;
  /** What came of it (kind-specific; see docs/monitoring.md). */
  details: Record<string, unknown>;
};

/**
 * Every monitoring action of every endpoint, appended as JSON lines under
 * `<stateDir>/monitoring/actions/<endpoint>.jsonl`: what the actions API and the report show,
 * and what survives a restart.
 *
 * @example
 * const log = new ActionLog(".kiln");
 * log.append({ endpoint: "drill", kind: "alert", reason: "drift_share 0.8 > 0.5", details: {} });
 * log.recent("drill", 20);
 */
export class ActionLog {
  readonly #dir: string;

  constructor(stateDir: string) {
    this.#dir = join(stateDir, "monitoring", "actions");
  }

  append(action: Omit<MonitoringAction, "at">): MonitoringAction {
    const entry = { at: new Date().toISOString(), ...action };
    mkdirSync(this.#dir, { recursive: true });
    appendFileSync(this.#file(action.endpoint), `${JSON.stringify(entry)}\n`);
    return entry;
  }

  /** The endpoint's last `limit` actions, newest first. */
  recent(endpoint: string, limit = 100): MonitoringAction[] {
    const file = this.#file(endpoint);
    if (!existsSync(file)) return [];
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    // A line cut short by a crash mid-write is skipped, not fatal.
    return lines
      .slice(-limit)
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as MonitoringAction];
        } catch {
          return [];
        }
      })
      .reverse();
  }

  #file(endpoint: string): string {
    return join(this.#dir, `${endpoint}.jsonl`);
  }
}
