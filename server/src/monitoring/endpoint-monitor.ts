import { Cron } from "croner";
import type { ActionLog, MonitoringAction } from "./action-log";
import {
  evaluateConditions,
  type ConditionOutcome,
  type Measured,
  type MonitoringSnapshot,
} from "./policy-conditions";
import type { EndpointPolicy } from "./policy-definition";
import type { PolicyStore } from "./policy-store";
import { RetrainError, type Retrainer, type RetrainOutcome } from "./retraining";

type DriftSummary = { share: number; datasetDrift: boolean; drifted: string[] };

/** An endpoint's monitoring at a glance (the endpoint list's `monitoring`). */
export type MonitoringStatus = {
  policy: boolean;
  /** The last check; null when none ran yet. */
  lastCheck: {
    at: string;
    rows: number;
    /** Null when drift could not be measured (no traffic, no reference sample). */
    drift: DriftSummary | null;
    /** Summaries of the conditions that held. */
    held: string[];
  } | null;
};

/** What one check found and did. */
export type CheckResult = {
  endpoint: string;
  snapshot: MonitoringSnapshot;
  conditions: ConditionOutcome[];
  /** The actions it took, as recorded in the action log. */
  actions: MonitoringAction[];
};

type EndpointMonitorDeps = {
  policies: PolicyStore;
  actions: ActionLog;
  retrainer: Pick<Retrainer, "retrain">;
  /** Measures an endpoint's recent traffic for a policy (drift, fallback rate, DQ, performance). */
  snapshot: (endpoint: string, policy: EndpointPolicy) => Promise<MonitoringSnapshot>;
  /** Delivers an alert to a webhook; the default POSTs JSON, retrying with backoff. */
  deliver?: (url: string, body: unknown) => Promise<void>;
};

/** An endpoint without a policy was asked to be checked or retrained. */
export class NoPolicyError extends Error {
  override name = "NoPolicyError";
}

/**
 * Runs endpoint policies: checks (on their cron schedule, or when asked) measure the recent
 * traffic, evaluate the conditions and, when any holds, take the actions in order — record an
 * alert (and POST it to the webhook), retrain. Retraining also runs on its own schedule. Every
 * check and action goes to the action log. One check or retraining per endpoint at a time: a
 * check that finds a retraining under way records that and does not start another.
 *
 * @example
 * const monitor = new EndpointMonitor({ policies, actions, retrainer, snapshot });
 * monitor.start();
 * await monitor.check("quality");
 */
export class EndpointMonitor {
  readonly #deps: EndpointMonitorDeps;
  readonly #jobs = new Map<string, Cron[]>();
  readonly #busy = new Map<string, Promise<unknown>>();
  readonly #retraining = new Set<string>();

  constructor(deps: EndpointMonitorDeps) {
    this.#deps = deps;
  }

  /** Schedules every stored policy; policies that no longer validate are logged and skipped. */
  start(): void {
    const { policies, invalid } = this.#deps.policies.all();
    for (const { endpoint, error } of invalid) {
      console.error(`kiln: the policy of endpoint "${endpoint}" is not scheduled: ${error}`);
    }
    for (const [endpoint, policy] of policies) this.#schedule(endpoint, policy);
  }

  /** Stores (or replaces) an endpoint's policy and schedules it. */
  setPolicy(endpoint: string, policy: EndpointPolicy): void {
    this.#deps.policies.set(endpoint, policy);
    this.#schedule(endpoint, policy);
  }

  /** Removes an endpoint's policy and its schedules; false when it had none. */
  deletePolicy(endpoint: string): boolean {
    this.#unschedule(endpoint);
    return this.#deps.policies.delete(endpoint);
  }

  /**
   * Checks an endpoint now.
   * @throws NoPolicyError when the endpoint has no policy.
   */
  check(endpoint: string, reason = "requested"): Promise<CheckResult> {
    const policy = this.#policy(endpoint);
    return this.#exclusive(endpoint, () => this.#check(endpoint, policy, reason));
  }

  /**
   * Retrains an endpoint now (its policy's `retrain` settings) and records the outcome.
   * @throws NoPolicyError when the endpoint has no policy with `retrain` settings.
   */
  retrain(endpoint: string, reason = "requested"): Promise<MonitoringAction> {
    const policy = this.#policy(endpoint);
    if (!policy.retrain) {
      throw new NoPolicyError(
        `Endpoint "${endpoint}"'s policy has no "retrain" settings (holdout table and metric); add them with PUT /api/endpoints/${endpoint}/policy.`,
      );
    }
    return this.#exclusive(
      endpoint,
      async () => (await this.#retrain(endpoint, policy, reason))[0]!,
    );
  }

  /**
   * What the endpoint list shows of an endpoint's monitoring: whether it has a policy, and what
   * the last check measured (drift share and verdict, fallback rate, conditions that held).
   */
  status(endpoint: string): MonitoringStatus {
    const last = this.#deps.actions.recent(endpoint, 50).find((a) => a.kind === "check");
    const details = last?.details as
      | {
          rows: number;
          drift: Measured<DriftSummary>;
          conditions: { holds: boolean; summary: string }[];
        }
      | undefined;
    return {
      policy: this.#deps.policies.get(endpoint) !== undefined,
      lastCheck:
        last && details
          ? {
              at: last.at,
              rows: details.rows,
              drift: "value" in details.drift ? details.drift.value : null,
              held: details.conditions.filter((c) => c.holds).map((c) => c.summary),
            }
          : null,
    };
  }

  /** Stops every schedule and waits for checks and retrainings under way. */
  async stop(): Promise<void> {
    for (const endpoint of [...this.#jobs.keys()]) this.#unschedule(endpoint);
    await Promise.allSettled([...this.#busy.values()]);
  }

  async #check(endpoint: string, policy: EndpointPolicy, reason: string): Promise<CheckResult> {
    const snapshot = await this.#deps.snapshot(endpoint, policy);
    const conditions = evaluateConditions(policy, snapshot);
    const held = conditions.filter((c) => c.holds);
    const actions = [
      this.#deps.actions.append({
        endpoint,
        kind: "check",
        reason,
        details: {
          rows: snapshot.rows,
          drift: snapshot.drift,
          fallbackRate: snapshot.fallbackRate,
          conditions: conditions.map((c) => ({ holds: c.holds, summary: c.summary })),
        },
      }),
    ];
    if (held.length > 0) {
      const why = held.map((c) => c.summary).join("; ");
      for (const action of policy.actions) {
        if (action.type === "alert") {
          const summaries = held.map((c) => c.summary);
          actions.push(...(await this.#alert(endpoint, why, summaries, action.webhook)));
        } else {
          actions.push(...(await this.#retrain(endpoint, policy, why)));
        }
      }
    }
    return { endpoint, snapshot, conditions, actions };
  }

  async #alert(
    endpoint: string,
    reason: string,
    conditions: string[],
    webhook: string | undefined,
  ): Promise<MonitoringAction[]> {
    const alert = this.#deps.actions.append({
      endpoint,
      kind: "alert",
      reason,
      details: { conditions },
    });
    if (!webhook) return [alert];
    const deliver = this.#deps.deliver ?? postWithRetry;
    let delivery: Record<string, unknown>;
    try {
      await deliver(webhook, alert);
      delivery = { url: webhook, delivered: true };
    } catch (error) {
      delivery = { url: webhook, delivered: false, error: (error as Error).message };
    }
    return [
      alert,
      this.#deps.actions.append({ endpoint, kind: "webhook", reason, details: delivery }),
    ];
  }

  /**
   * Retrains and records the outcome; a new model that did not beat the champion, or a failed
   * retraining, is also an alert (POSTed to the policy's webhook, if its alert action has one).
   */
  async #retrain(
    endpoint: string,
    policy: EndpointPolicy,
    reason: string,
  ): Promise<MonitoringAction[]> {
    if (this.#retraining.has(endpoint)) {
      return [
        this.#deps.actions.append({
          endpoint,
          kind: "retrain",
          reason,
          details: { decision: "skipped", note: "a retraining of this endpoint is under way" },
        }),
      ];
    }
    this.#retraining.add(endpoint);
    let outcome: RetrainOutcome;
    try {
      outcome = await this.#deps.retrainer.retrain(endpoint, policy.retrain!);
    } catch (error) {
      if (!(error instanceof RetrainError)) throw error;
      outcome = { decision: "failed", error: error.message };
    } finally {
      this.#retraining.delete(endpoint);
    }
    const retrained = this.#deps.actions.append({
      endpoint,
      kind: "retrain",
      reason,
      details: outcome,
    });
    if (outcome.decision === "promoted") return [retrained];
    const problem =
      outcome.decision === "failed"
        ? `retraining failed: ${outcome.error}`
        : `retrained ${outcome.candidate.model} v${outcome.candidate.version} (${outcome.metric} ${outcome.candidate.score}) did not beat the champion v${outcome.champion.version} (${outcome.champion.score}): kept as challenger`;
    const webhook = policy.actions.find((a) => a.type === "alert" && a.webhook);
    return [
      retrained,
      ...(await this.#alert(
        endpoint,
        problem,
        [problem],
        webhook?.type === "alert" ? webhook.webhook : undefined,
      )),
    ];
  }

  #policy(endpoint: string): EndpointPolicy {
    const policy = this.#deps.policies.get(endpoint);
    if (!policy) {
      throw new NoPolicyError(
        `Endpoint "${endpoint}" has no monitoring policy; set one with PUT /api/endpoints/${endpoint}/policy (docs/monitoring.md).`,
      );
    }
    return policy;
  }

  #schedule(endpoint: string, policy: EndpointPolicy): void {
    this.#unschedule(endpoint);
    const jobs: Cron[] = [];
    const report = (what: string) => (error: unknown) =>
      console.error(`kiln: scheduled ${what} of endpoint "${endpoint}" failed: ${String(error)}`);
    if (policy.schedule) {
      jobs.push(
        new Cron(policy.schedule, { protect: true }, () =>
          this.check(endpoint, "schedule").then(() => undefined, report("check")),
        ),
      );
    }
    if (policy.retrainSchedule && policy.retrain) {
      jobs.push(
        new Cron(policy.retrainSchedule, { protect: true }, () =>
          this.retrain(endpoint, "schedule").then(() => undefined, report("retraining")),
        ),
      );
    }
    if (jobs.length > 0) this.#jobs.set(endpoint, jobs);
  }

  #unschedule(endpoint: string): void {
    for (const job of this.#jobs.get(endpoint) ?? []) job.stop();
    this.#jobs.delete(endpoint);
  }

  // Checks and retrainings of one endpoint run one after the other.
  #exclusive<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(endpoint) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    const settled = next.catch(() => undefined);
    this.#busy.set(endpoint, settled);
    void settled.then(() => {
      if (this.#busy.get(endpoint) === settled) this.#busy.delete(endpoint);
    });
    return next;
  }
}

/** POSTs `body` as JSON; up to 3 attempts, 1 s then 2 s apart; throws after the last. */
async function postWithRetry(url: string, body: unknown): Promise<void> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** (attempt - 1)));
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return;
      lastError = new Error(`the webhook answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(
    `Alert not delivered to ${url} after 3 attempts: ${(lastError as Error).message}`,
  );
}
