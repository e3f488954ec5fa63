// Everything the extension shows about an endpoint after a promotion: where to send predictions,
// whether it answers, what it serves, the pipeline it is bound to, and a curl command that works.

import {
  getModelMetadata,
  getModelReadiness,
  listEndpoints,
  type EndpointState,
  type PipelineBinding,
  type V2TensorMetadata,
} from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { exampleInferRequest, inferenceCurl } from "./curl-example";
import { endpointUrls, type EndpointUrls } from "./endpoint-urls";

/** Whether the endpoint answers predictions. */
export type EndpointStatus = { ready: true } | { ready: false; problem: string; fix: string };

/** An endpoint as the promotion result shows it. */
export type EndpointDetails = {
  name: string;
  model: string;
  /** The version the endpoint answers with now. */
  version: string;
  /** Null when the model was logged outside a pipeline run. */
  pipeline: PipelineBinding | null;
  urls: EndpointUrls;
  status: EndpointStatus;
  /** Null when the model's inputs could not be read (`status` says why). */
  curl: string | null;
};

/**
 * Asks the server about the endpoint `state` describes (just promoted): its readiness, its v2
 * metadata and its inputs' ranges, and builds the curl example from them. A question the server
 * cannot answer becomes part of the details (status not ready, no curl), never a rejection.
 *
 * @example
 * ```ts
 * const details = await loadEndpointDetails(settings, await promoteModel(settings, "drill", request, signal));
 * ```
 */
export async function loadEndpointDetails(
  settings: KilnSettings,
  state: EndpointState,
): Promise<EndpointDetails> {
  const [readiness, metadata, listed] = await Promise.allSettled([
    getModelReadiness(settings, state.name),
    getModelMetadata(settings, state.name),
    listEndpoints(settings),
  ]);
  const endpoint =
    listed.status === "fulfilled" ? listed.value.find((e) => e.name === state.name) : undefined;
  const features = endpoint?.inputs ?? [];
  const inputs: V2TensorMetadata[] | undefined =
    metadata.status === "fulfilled"
      ? metadata.value.inputs
      : endpoint?.inputs.map((f) => ({ name: f.name, datatype: f.datatype, shape: [-1] }));
  const urls = endpointUrls(settings.serverUrl, state.name);
  return {
    name: state.name,
    model: state.current.model,
    version: readiness.status === "fulfilled" ? readiness.value.version : state.current.version,
    pipeline: state.pipeline ?? null,
    urls,
    status: statusOf(readiness),
    curl: inputs ? inferenceCurl(urls.infer, exampleInferRequest(inputs, features)) : null,
  };
}

function statusOf(readiness: PromiseSettledResult<{ ready: boolean }>): EndpointStatus {
  if (readiness.status === "fulfilled") {
    return readiness.value.ready
      ? { ready: true }
      : {
          ready: false,
          problem: "The endpoint does not answer predictions yet",
          fix: "Promote the model again; the server log says what went wrong.",
        };
  }
  const error: unknown = readiness.reason;
  if (!(error instanceof KilnServerError)) throw error;
  return { ready: false, problem: error.message, fix: error.fix };
}
