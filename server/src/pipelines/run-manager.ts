import { EventEmitter } from "node:events";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import {
  compileNotebook,
  compileNotebookFile,
  nearestLockfileHash,
  listPipelines,
  NotebookCompileError,
  type CompileProblem,
  type PipelineSpec,
  listRuns,
  MlflowClient,
  readPipelineSpec,
  runPipeline,
  stepLogFile,
  type PipelineEvent,
  type PipelineRunRecord,
  type VersionedPipeline,
} from "@kiln/kernel-lib";
import { KilnHttpError } from "../api/http-errors";

type RunManagerOptions = {
  /** Where compiled versions, artifacts and run records live. */
  stateDir: string;
  /** Notebooks the API may compile and run; paths outside it are refused. */
  notebooksRoot: string;
  trackingUri?: string;
  parallelism?: number;
};

/** A model version a pipeline run registered. */
export interface RunModel {
  model: string;
  version: string;
  /** The step whose MLflow run logged it. */
  step: string | null;
  aliases: string[];
  /** Registration time, ms since the epoch. */
  createdAt: number;
}

/** A run started by this server: its events so far, and a feed of the next ones. */
export interface LiveRun {
  events: PipelineEvent[];
  feed: EventEmitter;
  finished: boolean;
}

/**
 * Compiles and runs notebooks for the HTTP API, keeping each run's events in memory so that a
 * client connecting late to the event stream still sees the whole run.
 *
 * @example
 * const runs = new PipelineRunManager({ stateDir: ".kiln", notebooksRoot: "notebooks" });
 * const { runId } = await runs.start({ notebook: "diamond.ipynb" });
 */
export class PipelineRunManager {
  readonly #opts: RunManagerOptions;
  readonly #live = new Map<string, LiveRun>();

  constructor(options: RunManagerOptions) {
    this.#opts = options;
  }

  /** Compiles a notebook under the notebooks root and registers its version. */
  async compile(notebook: string): Promise<VersionedPipeline> {
    return compileNotebookFile(this.#resolveNotebook(notebook), { stateDir: this.#opts.stateDir });
  }

  /**
   * Compiles a notebook's content as it is in the editor, saved or not, without registering a
   * version: the extension calls this as the user types to show each step's inputs, outputs and
   * problems. `version` names the registered version with the same spec hash, if any.
   */
  async analyze(
    notebook: unknown,
    path?: string,
  ): Promise<{ spec: PipelineSpec | null; version: string | null; problems: CompileProblem[] }> {
    const absolute = path === undefined ? undefined : this.#checkNotebookPath(path);
    let spec: PipelineSpec;
    try {
      spec = compileNotebook(notebook, {
        ...(path !== undefined ? { path, name: basename(path).replace(/\.ipynb$/i, "") } : {}),
        lockfileHash: await nearestLockfileHash(
          absolute ? dirname(absolute) : resolve(this.#opts.notebooksRoot),
          path ?? "the notebook",
        ),
      });
    } catch (error) {
      if (error instanceof NotebookCompileError) {
        return { spec: null, version: null, problems: error.problems };
      }
      throw error;
    }
    const listing = (await this.listPipelines()).find((p) => p.name === spec.name);
    const registered = listing?.versions.find((v) => v.hash === spec.hash);
    return { spec, version: registered?.version ?? null, problems: [] };
  }

  /**
   * Compiles and starts a run; resolves once the run has started (its id is known), while the
   * steps go on in the background. Bad params are refused before anything runs.
   */
  async start(request: {
    notebook: string;
    params?: Record<string, unknown>;
    force?: boolean;
  }): Promise<{ runId: string; pipeline: string; version: string }> {
    const pipeline = await this.compile(request.notebook);
    return this.#launch(pipeline, {
      ...request,
      notebookDir: resolve(this.#resolveNotebook(request.notebook), ".."),
    });
  }

  /**
   * Starts a run of a registered pipeline version as it was compiled (what retraining re-runs:
   * the version that produced the served model, not whatever the notebook holds now).
   * @throws KilnHttpError 404 when the pipeline or version is not registered here.
   */
  async startVersion(request: {
    pipeline: string;
    version: string;
    params?: Record<string, unknown>;
    force?: boolean;
  }): Promise<{ runId: string; pipeline: string; version: string }> {
    let spec: PipelineSpec;
    try {
      spec = await readPipelineSpec(this.#opts.stateDir, request.pipeline, request.version);
    } catch (error) {
      throw new KilnHttpError(
        404,
        "PIPELINE_VERSION_NOT_FOUND",
        (error as Error).message,
        "Run the notebook through this server once (POST /api/pipelines/runs) so its version is registered here.",
      );
    }
    // A retraining run must not promote its own model: only the retrainer decides, after
    // comparing it with the champion. Its steps do not get the server's URL and key.
    return this.#launch(
      { spec, version: request.version },
      { ...request, withoutEnv: ["KILN_SERVER_URL", "KILN_ADMIN_KEY"] },
    );
  }

  /** Resolves with the run's record once a run started by this server has finished. */
  async finished(runId: string): Promise<PipelineRunRecord> {
    const live = this.#live.get(runId);
    if (live && !live.finished) {
      await new Promise<void>((done) => {
        const onEvent = (event: PipelineEvent) => {
          if (event.type !== "run-finished") return;
          live.feed.off("event", onEvent);
          done();
        };
        live.feed.on("event", onEvent);
      });
    }
    return this.getRun(runId);
  }

  async #launch(
    pipeline: VersionedPipeline,
    request: {
      params?: Record<string, unknown>;
      force?: boolean;
      notebookDir?: string;
      withoutEnv?: readonly string[];
    },
  ): Promise<{ runId: string; pipeline: string; version: string }> {
    const live: LiveRun = { events: [], feed: new EventEmitter(), finished: false };
    live.feed.setMaxListeners(0);
    let announce: (runId: string) => void = () => undefined;
    const started = new Promise<string>((done) => (announce = done));
    const run = runPipeline(pipeline, {
      stateDir: this.#opts.stateDir,
      ...(request.notebookDir ? { notebookDir: request.notebookDir } : {}),
      ...(request.params ? { params: request.params } : {}),
      ...(request.force ? { force: true } : {}),
      ...(request.withoutEnv ? { withoutEnv: request.withoutEnv } : {}),
      ...(this.#opts.trackingUri ? { trackingUri: this.#opts.trackingUri } : {}),
      ...(this.#opts.parallelism ? { parallelism: this.#opts.parallelism } : {}),
      onEvent: (event) => {
        if (event.type === "run-started") {
          this.#live.set(event.runId, live);
          announce(event.runId);
        }
        live.events.push(event);
        if (event.type === "run-finished") live.finished = true;
        live.feed.emit("event", event);
      },
    });
    // Whichever comes first: the run starts, or it is refused before starting (bad params).
    const runId = await Promise.race([started, run.then(() => started)]);
    run.catch(() => undefined); // failures after start are in the run record and the events
    return { runId, pipeline: pipeline.spec.name, version: pipeline.version };
  }

  /** Past events of a run started by this server, and a way to follow the next ones. */
  follow(runId: string): LiveRun | undefined {
    return this.#live.get(runId);
  }

  listRuns(pipeline?: string): Promise<PipelineRunRecord[]> {
    return listRuns(this.#opts.stateDir, pipeline);
  }

  async getRun(runId: string): Promise<PipelineRunRecord> {
    const run = (await this.listRuns()).find((r) => r.runId === runId);
    if (!run) {
      throw new KilnHttpError(
        404,
        "RUN_NOT_FOUND",
        `There is no pipeline run "${runId}".`,
        "List runs with GET /api/pipelines/runs.",
      );
    }
    return run;
  }

  /**
   * A step's output so far (stdout and stderr lines, as they came); `""` for a step that has
   * not printed anything, or was cached.
   */
  async stepLog(runId: string, step: string): Promise<string> {
    const run = await this.getRun(runId);
    if (!run.steps[step]) {
      throw new KilnHttpError(
        404,
        "STEP_NOT_FOUND",
        `Run ${runId} has no step "${step}".`,
        `Its steps are ${Object.keys(run.steps).join(", ")}.`,
      );
    }
    try {
      return await readFile(stepLogFile(this.#opts.stateDir, runId, step), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
      throw error;
    }
  }

  /**
   * The model versions a run's steps registered (with `kiln.log.model`), newest first: what the
   * extension offers to promote after a run.
   */
  async models(runId: string): Promise<RunModel[]> {
    const run = await this.getRun(runId);
    const stepOfRun = new Map(
      Object.entries(run.steps).flatMap(([step, s]) =>
        s.mlflowRunId ? [[s.mlflowRunId, step] as const] : [],
      ),
    );
    if (stepOfRun.size === 0) return [];
    if (!this.#opts.trackingUri) {
      throw new KilnHttpError(
        503,
        "NO_MODEL_REGISTRY",
        "This server has no MLflow tracking server to look models up in.",
        "Start it with MLFLOW_TRACKING_URI set (kiln start does this).",
      );
    }
    const client = new MlflowClient({
      trackingUri: this.#opts.trackingUri,
      spoolDir: join(this.#opts.stateDir, "spool"),
    });
    const ids = [...stepOfRun.keys()].map((id) => `'${id}'`).join(", ");
    const { items } = await client.searchModelVersions({
      filter: `run_id IN (${ids})`,
      maxResults: 200,
    });
    // MLflow's search leaves `aliases` empty; each version's own record has them.
    const versions = await Promise.all(items.map((v) => client.getModelVersion(v.name, v.version)));
    return versions
      .map((v) => ({
        model: v.name,
        version: v.version,
        step: stepOfRun.get(v.runId) ?? null,
        aliases: v.aliases,
        createdAt: v.creationTimestamp ?? 0,
      }))
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  listPipelines() {
    return listPipelines(this.#opts.stateDir);
  }

  // Only notebooks under the root: the API must not become a way to run any file on the machine.
  #resolveNotebook(notebook: string): string {
    const path = this.#checkNotebookPath(notebook);
    if (!existsSync(path)) {
      throw new KilnHttpError(
        404,
        "NOTEBOOK_NOT_FOUND",
        `No notebook "${notebook}" in the notebooks folder.`,
        "Check the name and the folder.",
      );
    }
    return path;
  }

  /** The absolute path of `notebook`, refused unless it is an .ipynb path under the root. */
  #checkNotebookPath(notebook: string): string {
    const root = resolve(this.#opts.notebooksRoot);
    const path = resolve(root, notebook);
    const inside = relative(root, path);
    if (
      !notebook ||
      !notebook.endsWith(".ipynb") ||
      inside.startsWith("..") ||
      isAbsolute(inside)
    ) {
      throw new KilnHttpError(
        400,
        "INVALID_NOTEBOOK_PATH",
        `"${notebook}" is not a notebook path under the notebooks folder.`,
        "Give a path relative to the notebooks folder, ending in .ipynb, without '..'.",
      );
    }
    return path;
  }
}
