import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  downloadBundle,
  loadBundle,
  loadTensorflow,
  MlflowApiError,
  MlflowClient,
  verifyBundle,
  type LoadedBundle,
} from "@kiln/kernel-lib";
import { KilnHttpError } from "../api/http-errors";
import { servedBundle } from "./bundle-model";
import type { FeatureSpec } from "./endpoint-model";
import type { EndpointRegistry } from "./endpoint-registry";
import type { EndpointBatchers } from "./micro-batcher";

/** Which model version an endpoint serves. */
export interface ServedVersion {
  model: string;
  version: string;
  promotedAt: string;
  /** The pipeline version that produced this model version, kept so a rollback restores it. */
  pipeline?: PipelineBinding;
}

/** The pipeline version that produced an endpoint's model: what retraining re-runs. */
export interface PipelineBinding {
  name: string;
  version: string;
  /** The pipeline run that logged the model. */
  runId?: string;
}

/** Micro-batching limits of one endpoint (the server's defaults when absent). */
export interface BatchingLimits {
  maxBatchSize: number;
  maxWaitMs: number;
}

/** An endpoint as the admin API lists it. */
export interface EndpointState {
  name: string;
  current: ServedVersion;
  previous?: ServedVersion;
  /**
   * Taken from the served version's lineage tags at promotion; absent for a model logged outside
   * a pipeline. Promoting a model of a newer pipeline version replaces it.
   */
  pipeline?: PipelineBinding;
  batching?: BatchingLimits;
}

/** An endpoint with what its loaded model takes: what the admin API's endpoint list answers. */
export interface ServedEndpoint extends EndpointState {
  /** False when the endpoint's bundle failed to load at start (the server log says why). */
  serving: boolean;
  /** The served model's input features (empty while not serving). */
  inputs: FeatureSpec[];
  /** The features the served model's fallback answers from; null without a fallback model. */
  fallback: { features: string[] } | null;
}

/** How to promote, beyond what: the alias to set and the endpoint's batching limits. */
export type PromoteOptions = {
  /** MLflow alias pointed at the promoted version; `champion` by default. */
  setAlias?: string;
  /** Kept from the endpoint's previous promotion when absent. */
  batching?: BatchingLimits;
};

/** What to promote: a registered model and a version, an alias, or (neither) its latest version. */
export type ModelRef = { model: string; version?: string; alias?: string };

type EndpointManagerOptions = {
  registry: EndpointRegistry;
  /** Told each endpoint's batching limits, on promotion and on restore. */
  batchers?: EndpointBatchers;
  /** `endpoints.json` and the downloaded bundles (`bundles/<model>/<version>/`) live here. */
  stateDir: string;
  /** The MLflow registry to promote from; without it only restoring works. */
  trackingUri?: string;
};

const ENDPOINT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Promotes registered model versions onto endpoints and keeps that state across restarts.
 * Promotion downloads and verifies the bundle, loads it, runs a warm-up prediction, and only then
 * swaps it in, so a broken version never serves a request and requests in flight finish on the
 * version they started with.
 *
 * @example
 * const endpoints = new EndpointManager({ registry, stateDir: ".kiln", trackingUri });
 * await endpoints.restore();
 * await endpoints.promote("drill", { model: "drill-anomaly", alias: "challenger" });
 */
export class EndpointManager {
  readonly #opts: EndpointManagerOptions;
  readonly #loaded = new Map<string, LoadedBundle>();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: EndpointManagerOptions) {
    this.#opts = options;
  }

  /** Loads every endpoint recorded in `endpoints.json` from its verified local bundle. */
  async restore(): Promise<{ restored: string[]; failed: { endpoint: string; error: string }[] }> {
    const restored: string[] = [];
    const failed: { endpoint: string; error: string }[] = [];
    for (const state of Object.values(this.#readState())) {
      try {
        const { model, version } = state.current;
        const bundle = await this.#load(model, version, this.#bundleDir(model, version));
        if (state.batching) this.#opts.batchers?.configure(state.name, state.batching);
        this.#opts.registry.swap(
          state.name,
          await servedBundle(state.name, model, version, bundle),
        );
        restored.push(state.name);
      } catch (error) {
        failed.push({ endpoint: state.name, error: (error as Error).message });
      }
    }
    return { restored, failed };
  }

  /** The endpoints and what they serve. */
  list(): EndpointState[] {
    return Object.values(this.#readState());
  }

  /** The endpoints with their loaded models' inputs and fallbacks. */
  listServed(): ServedEndpoint[] {
    return this.list().map((state) => {
      const served = this.#opts.registry.get(state.name);
      const bundle = this.#loaded.get(`${state.current.model}/${state.current.version}`);
      const fallback = bundle?.manifest.fallback;
      return {
        ...state,
        serving: served !== undefined,
        inputs: served?.inputs ?? [],
        fallback: fallback ? { features: [...fallback.features] } : null,
      };
    });
  }

  /**
   * Serves `ref` on `endpoint`, then points MLflow alias `options.setAlias` (default `champion`)
   * at it, and binds the endpoint to the pipeline version that produced the model.
   * Promotions run one at a time, so two at once cannot interleave their state writes.
   */
  promote(endpoint: string, ref: ModelRef, options: PromoteOptions = {}): Promise<EndpointState> {
    return this.#serialized(async () => {
      assertEndpointName(endpoint);
      if (options.batching) assertBatching(options.batching);
      const client = this.#client();
      const version = await resolveVersion(client, ref);
      const tags = (await client.getModelVersion(ref.model, version)).tags ?? {};
      const dir = await this.#download(client, ref.model, version);
      const bundle = await this.#load(ref.model, version, dir);
      const served = await servedBundle(endpoint, ref.model, version, bundle);
      const states = this.#readState();
      const before = states[endpoint];
      const batching = options.batching ?? before?.batching;
      if (batching) this.#opts.batchers?.configure(endpoint, batching);
      this.#opts.registry.swap(endpoint, served);
      const pipeline = pipelineOf(tags);
      const now: ServedVersion = {
        model: ref.model,
        version,
        promotedAt: new Date().toISOString(),
        ...(pipeline ? { pipeline } : {}),
      };
      states[endpoint] = {
        name: endpoint,
        current: now,
        ...(before ? { previous: before.current } : {}),
        ...(pipeline ? { pipeline } : {}),
        ...(batching ? { batching } : {}),
      };
      this.#writeState(states);
      await client.setAlias(ref.model, options.setAlias ?? "champion", version);
      return states[endpoint]!;
    });
  }

  /**
   * Serves the endpoint's previous version again (a second rollback rolls forward), bound to the
   * pipeline version that produced it; the batching limits stay.
   */
  rollback(endpoint: string): Promise<EndpointState> {
    return this.#serialized(async () => {
      const states = this.#readState();
      const state = states[endpoint];
      if (!state) {
        throw new KilnHttpError(
          404,
          "ENDPOINT_NOT_FOUND",
          `There is no endpoint "${endpoint}".`,
          "List endpoints with GET /api/endpoints.",
        );
      }
      if (!state.previous) {
        throw new KilnHttpError(
          409,
          "NOTHING_TO_ROLL_BACK",
          `Endpoint "${endpoint}" has served only ${state.current.model} v${state.current.version}.`,
          "Promote another version first.",
        );
      }
      // From the verified local bundle, not the registry's memory: that is empty after a restart.
      const { model, version } = state.previous;
      const bundle = await this.#load(model, version, this.#bundleDir(model, version));
      this.#opts.registry.swap(endpoint, await servedBundle(endpoint, model, version, bundle));
      const { pipeline } = state.previous;
      states[endpoint] = {
        name: endpoint,
        current: state.previous,
        previous: state.current,
        ...(pipeline ? { pipeline } : {}),
        ...(state.batching ? { batching: state.batching } : {}),
      };
      this.#writeState(states);
      return states[endpoint]!;
    });
  }

  /**
   * Downloads (once), verifies and loads a registered model version without serving it: what
   * retraining compares the champion and a new version with.
   */
  async loadVersion(model: string, version: string): Promise<LoadedBundle> {
    const dir = await this.#download(this.#client(), model, version);
    return this.#load(model, version, dir);
  }

  /** The bundle an endpoint serves now; undefined when it serves nothing. */
  servedBundle(endpoint: string): LoadedBundle | undefined {
    const current = this.#readState()[endpoint]?.current;
    return current ? this.#loaded.get(`${current.model}/${current.version}`) : undefined;
  }

  /** Points an MLflow alias of a registered model at a version (e.g. `challenger`). */
  async setAlias(model: string, alias: string, version: string): Promise<void> {
    await this.#client().setAlias(model, alias, version);
  }

  async #download(client: MlflowClient, model: string, version: string): Promise<string> {
    const dir = this.#bundleDir(model, version);
    if (!existsSync(join(dir, "bundle.json"))) {
      const staging = `${dir}.download-${process.pid}`;
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { recursive: true });
      await downloadBundle(client, model, version, staging);
      renameSync(staging, dir);
    }
    return dir;
  }

  async #load(model: string, version: string, dir: string): Promise<LoadedBundle> {
    const key = `${model}/${version}`;
    const known = this.#loaded.get(key);
    if (known) return known;
    await verifyBundle(dir);
    const { tf } = await loadTensorflow();
    const bundle = await loadBundle(dir, tf);
    this.#loaded.set(key, bundle);
    return bundle;
  }

  #client(): MlflowClient {
    if (!this.#opts.trackingUri) {
      throw new KilnHttpError(
        503,
        "NO_MODEL_REGISTRY",
        "This server has no MLflow tracking server to promote from.",
        "Start it with MLFLOW_TRACKING_URI set (kiln start does this).",
      );
    }
    return new MlflowClient({
      trackingUri: this.#opts.trackingUri,
      spoolDir: join(this.#opts.stateDir, "spool"),
    });
  }

  #bundleDir(model: string, version: string): string {
    return join(this.#opts.stateDir, "bundles", encodeURIComponent(model), version);
  }

  #stateFile(): string {
    return join(this.#opts.stateDir, "endpoints.json");
  }

  #readState(): Record<string, EndpointState> {
    if (!existsSync(this.#stateFile())) return {};
    return (
      JSON.parse(readFileSync(this.#stateFile(), "utf8")) as {
        endpoints: Record<string, EndpointState>;
      }
    ).endpoints;
  }

  // Temp file + rename: a crash mid-write leaves the previous state, never half a file.
  #writeState(endpoints: Record<string, EndpointState>): void {
    mkdirSync(this.#opts.stateDir, { recursive: true });
    const temp = `${this.#stateFile()}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ endpoints }, null, 2));
    renameSync(temp, this.#stateFile());
  }

  #serialized<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#queue.then(work, work);
    this.#queue = result.catch(() => undefined);
    return result;
  }
}

function pipelineOf(tags: Record<string, string>): PipelineBinding | undefined {
  const name = tags["kiln.pipeline"];
  const version = tags["kiln.pipeline.version"];
  if (!name || !version) return undefined;
  const runId = tags["kiln.pipeline.run_id"];
  return { name, version, ...(runId ? { runId } : {}) };
}

function assertBatching(limits: BatchingLimits): void {
  const { maxBatchSize, maxWaitMs } = limits;
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1 || maxBatchSize > 65_536) {
    throw new KilnHttpError(
      400,
      "INVALID_BATCHING",
      `batching.maxBatchSize must be an integer from 1 to 65536, got ${String(maxBatchSize)}.`,
      "Rows per tensor call: 1 turns batching off; 64 to 1024 suits most small models.",
    );
  }
  if (typeof maxWaitMs !== "number" || !(maxWaitMs >= 0 && maxWaitMs <= 1_000)) {
    throw new KilnHttpError(
      400,
      "INVALID_BATCHING",
      `batching.maxWaitMs must be a number from 0 to 1000, got ${String(maxWaitMs)}.`,
      "How long the oldest waiting request may wait for others to join its batch; 2 is the default.",
    );
  }
}

function assertEndpointName(name: string): void {
  if (!ENDPOINT_NAME.test(name)) {
    throw new KilnHttpError(
      400,
      "INVALID_ENDPOINT_NAME",
      `"${name}" is not a valid endpoint name.`,
      "Use lowercase letters, digits, - and _ (up to 63 characters), starting with a letter or digit.",
    );
  }
}

async function resolveVersion(client: MlflowClient, ref: ModelRef): Promise<string> {
  try {
    if (ref.version) return (await client.getModelVersion(ref.model, ref.version)).version;
    if (ref.alias) return (await client.getModelVersionByAlias(ref.model, ref.alias)).version;
    const latest = (await client.getRegisteredModel(ref.model)).latestVersions
      .map((v) => Number(v.version))
      .sort((a, b) => b - a)[0];
    if (latest === undefined) throw new Error("it has no versions yet");
    return String(latest);
  } catch (error) {
    // MLflow says "does not exist" (or, for an unknown alias, "invalid parameter"); anything else
    // (MLflow down) is not the client's mistake and propagates.
    const missing =
      !(error instanceof MlflowApiError) ||
      ["RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE"].includes(error.errorCode);
    if (!missing) throw error;
    const what = ref.version
      ? `version ${ref.version}`
      : ref.alias
        ? `alias @${ref.alias}`
        : "any version";
    throw new KilnHttpError(
      404,
      "MODEL_VERSION_NOT_FOUND",
      `Registered model "${ref.model}" has no ${what} (${(error as Error).message.split("\n")[0]}).`,
      "Check the name and version in MLflow's model registry.",
    );
  }
}
