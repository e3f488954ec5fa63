import type { PipelineRunManager } from "../pipelines/run-manager";
import type { EndpointManager } from "../serving/endpoint-manager";
import { beats, scoreOnHoldout, type HoldoutRows } from "./holdout-evaluation";
import type { RetrainSpec } from "./policy-definition";

/** What came of one retraining. */
export type RetrainOutcome =
  | {
      decision: "promoted" | "kept-champion";
      runId: string;
      pipeline: { name: string; version: string };
      metric: RetrainSpec["metric"];
      champion: { model: string; version: string; score: number };
      candidate: { model: string; version: string; score: number };
      /** The alias the new version got: `champion` when promoted, `challenger` otherwise. */
      alias: "champion" | "challenger";
    }
  | {
      decision: "failed";
      runId?: string;
      /** What went wrong and what to do about it. */
      error: string;
    };

/** A retraining that cannot start; the message says why and what to do. */
export class RetrainError extends Error {
  override name = "RetrainError";
}

type RetrainerDeps = {
  endpoints: Pick<EndpointManager, "list" | "loadVersion" | "promote" | "setAlias">;
  runs: Pick<PipelineRunManager, "startVersion" | "finished" | "models">;
  /** Reads the holdout rows of `spec.holdout` from the lake. */
  readHoldout: (holdout: RetrainSpec["holdout"]) => Promise<HoldoutRows>;
};

/**
 * Retrains an endpoint's model: re-runs the pipeline version that produced the served model
 * (cache bypassed, so steps read the data as it is now), scores the new model version and the
 * champion on the holdout set, and promotes the new one only when it beats the champion by
 * `minImprovement`; otherwise the new version gets the `challenger` alias and the champion
 * keeps serving.
 *
 * @example
 * const retrainer = new Retrainer({ endpoints, runs, readHoldout });
 * const outcome = await retrainer.retrain("quality", policy.retrain);
 */
export class Retrainer {
  readonly #deps: RetrainerDeps;

  constructor(deps: RetrainerDeps) {
    this.#deps = deps;
  }

  /**
   * @throws RetrainError when the endpoint does not exist or was not produced by a pipeline.
   * Failures after the run started are answered as a `failed` outcome, not thrown.
   */
  async retrain(endpoint: string, spec: RetrainSpec): Promise<RetrainOutcome> {
    const state = this.#deps.endpoints.list().find((e) => e.name === endpoint);
    if (!state)
      throw new RetrainError(`No endpoint "${endpoint}" to retrain; promote a model first.`);
    const binding = state.pipeline;
    if (!binding) {
      throw new RetrainError(
        `Endpoint "${endpoint}" serves ${state.current.model} v${state.current.version}, which was not logged by a Kiln pipeline run, so there is no pipeline to re-run. Train it in an annotated notebook run as a pipeline, and promote that version.`,
      );
    }
    const { runId } = await this.#deps.runs.startVersion({
      pipeline: binding.name,
      version: binding.version,
      ...(spec.params ? { params: spec.params } : {}),
      force: true,
    });
    try {
      const record = await this.#deps.runs.finished(runId);
      if (record.status !== "succeeded") {
        return {
          decision: "failed",
          runId,
          error: `The retraining run ${runId} of ${binding.name} ${binding.version} ended ${record.status}; its step logs say why (GET /api/pipelines/runs/${runId}).`,
        };
      }
      const model = state.current.model;
      const registered = (await this.#deps.runs.models(runId)).filter((m) => m.model === model);
      const newest = registered[0];
      if (!newest) {
        return {
          decision: "failed",
          runId,
          error: `The retraining run ${runId} registered no new version of ${model}; the pipeline must log it with kiln.log.model(model, { name: "${model}", ... }).`,
        };
      }
      const rows = await this.#deps.readHoldout(spec.holdout);
      const score = async (version: string) =>
        scoreOnHoldout(await this.#deps.endpoints.loadVersion(model, version), rows, {
          metric: spec.metric,
          ...(spec.holdout.label ? { label: spec.holdout.label } : {}),
        });
      const championScore = await score(state.current.version);
      const candidateScore = await score(newest.version);
      const promote = beats(spec, candidateScore, championScore);
      if (promote) {
        await this.#deps.endpoints.promote(endpoint, { model, version: newest.version });
      } else {
        await this.#deps.endpoints.setAlias(model, "challenger", newest.version);
      }
      return {
        decision: promote ? "promoted" : "kept-champion",
        runId,
        pipeline: { name: binding.name, version: binding.version },
        metric: spec.metric,
        champion: { model, version: state.current.version, score: championScore },
        candidate: { model, version: newest.version, score: candidateScore },
        alias: promote ? "champion" : "challenger",
      };
    } catch (error) {
      return { decision: "failed", runId, error: (error as Error).message };
    }
  }
}
