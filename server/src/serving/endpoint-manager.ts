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
import type { EndpointRegistry } from "./endpoint-registry";

/** Which model version an endpoint serves. */
export interface ServedVersion {
  model: string;
  version: string;
  promotedAt: string;
}

/** An endpoint as the admin API lists it. */
export interface EndpointState {
  name: string;
  current: ServedVersion;
  previous?: ServedVersion;
}

/** What to promote: a registered model and a version, an alias, or (neither) its latest version. */
export type ModelRef = { model: string; version?: string; alias?: string };

type EndpointManagerOptions = {
  registry: EndpointRegistry;
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

  /**
   * Serves `ref` on `endpoint`, then points MLflow alias `setAlias` (default `champion`) at it.
   * Promotions run one at a time, so two at once cannot interleave their state writes.
   */
  promote(endpoint: string, ref: ModelRef, setAlias = "champion"): Promise<EndpointState> {
    return this.#serialized(async () => {
      assertEndpointName(endpoint);
      const client = this.#client();
      const version = await resolveVersion(client, ref);
      const dir = this.#bundleDir(ref.model, version);
      if (!existsSync(join(dir, "bundle.json"))) {
        const staging = `${dir}.download-${process.pid}`;
        rmSync(staging, { recursive: true, force: true });
        mkdirSync(staging, { recursive: true });
        await downloadBundle(client, ref.model, version, staging);
        renameSync(staging, dir);
      }
      const bundle = await this.#load(ref.model, version, dir);
      const served = await servedBundle(endpoint, ref.model, version, bundle);
      this.#opts.registry.swap(endpoint, served);
      const states = this.#readState();
      const before = states[endpoint];
      const now: ServedVersion = {
        model: ref.model,
        version,
        promotedAt: new Date().toISOString(),
      };
      states[endpoint] = {
        name: endpoint,
        current: now,
        ...(before ? { previous: before.current } : {}),
      };
      this.#writeState(states);
      await client.setAlias(ref.model, setAlias, version);
      return states[endpoint]!;
    });
  }

  /** Serves the endpoint's previous version again (a second rollback rolls forward). */
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
      states[endpoint] = { name: endpoint, current: state.previous, previous: state.current };
      this.#writeState(states);
      return states[endpoint]!;
    });
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
