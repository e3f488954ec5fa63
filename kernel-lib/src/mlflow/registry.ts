/**
 * MLflow model registry over REST: registered models, versions, tags and aliases (stages are
 * deprecated in MLflow; use aliases such as `champion` / `challenger`).
 *
 * @example
 * ```ts
 * await createRegisteredModel(http, { name: "churn" });
 * const v = await createModelVersion(http, { name: "churn", source: `${run.info.artifactUri}/model`, runId });
 * await setAlias(http, "churn", "champion", v.version);
 * ```
 */
import { MlflowApiError, MlflowError } from "./errors";
import type { MlflowTransport } from "./http";
import { sleep } from "./retry";
import type { ModelVersion, Page, RegisteredModel } from "./types";
import { assertValidAlias, assertValidModelName, validateTags } from "./validation";
import { toModelVersion, toRegisteredModel } from "./wire-format";
import type { WireModelVersion, WireRegisteredModel } from "./wire-format";

const BASE = "/api/2.0/mlflow";

/** Input of {@link createRegisteredModel}. */
export type CreateRegisteredModelInput = {
  name: string;
  description?: string;
  tags?: Record<string, string>;
};

/** Get-or-create: returns the existing model when the name is taken (race-safe). */
export async function createRegisteredModel(
  http: MlflowTransport,
  input: CreateRegisteredModelInput,
): Promise<RegisteredModel> {
  assertValidModelName(input.name);
  const tags = validateTags(input.tags ?? {});
  try {
    const response = await http.json<{ registered_model?: WireRegisteredModel }>({
      method: "POST",
      path: `${BASE}/registered-models/create`,
      body: { name: input.name, description: input.description, tags },
    });
    return toRegisteredModel(response.registered_model);
  } catch (err) {
    if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_ALREADY_EXISTS") {
      return getRegisteredModel(http, input.name);
    }
    throw err;
  }
}

/** Fetches a registered model; MlflowApiError RESOURCE_DOES_NOT_EXIST if missing. */
export async function getRegisteredModel(
  http: MlflowTransport,
  name: string,
): Promise<RegisteredModel> {
  assertValidModelName(name);
  const response = await http.json<{ registered_model?: WireRegisteredModel }>({
    method: "GET",
    path: `${BASE}/registered-models/get`,
    params: { name },
  });
  return toRegisteredModel(response.registered_model);
}

/** Input of the registry's searches: an MLflow filter, e.g. `name LIKE 'churn%'` or `run_id IN ('a1')`. */
export type SearchRegistryInput = {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
};
/** Input of {@link searchRegisteredModels}. */
export type SearchRegisteredModelsInput = SearchRegistryInput;
/** Input of {@link searchModelVersions}. */
export type SearchModelVersionsInput = SearchRegistryInput;

/** One page of registered models. */
export function searchRegisteredModels(
  http: MlflowTransport,
  input: SearchRegisteredModelsInput = {},
): Promise<Page<RegisteredModel>> {
  return searchPage(http, "registered-models", "registered_models", toRegisteredModel, input);
}

/** One page of model versions, across registered models. */
export function searchModelVersions(
  http: MlflowTransport,
  input: SearchModelVersionsInput = {},
): Promise<Page<ModelVersion>> {
  return searchPage(http, "model-versions", "model_versions", toModelVersion, input);
}

async function searchPage<Wire, Item>(
  http: MlflowTransport,
  resource: string,
  field: string,
  toItem: (wire: Wire) => Item,
  input: SearchRegistryInput,
): Promise<Page<Item>> {
  const response = await http.json<Record<string, Wire[] | string | undefined>>({
    method: "GET",
    path: `${BASE}/${resource}/search`,
    params: {
      filter: input.filter,
      order_by: input.orderBy,
      max_results: input.maxResults,
      page_token: input.pageToken,
    },
  });
  const next = response["next_page_token"];
  return {
    items: ((response[field] as Wire[] | undefined) ?? []).map(toItem),
    nextPageToken: typeof next === "string" && next !== "" ? next : undefined,
  };
}

/** Input of {@link createModelVersion}. */
export type CreateModelVersionInput = {
  name: string;
  /** Where the model files are, e.g. `${run.info.artifactUri}/model`. */
  source: string;
  runId?: string;
  tags?: Record<string, string>;
  description?: string;
  /** How long to wait for status READY (default 5 min). */
  readyTimeoutMs?: number;
};

/**
 * Registers a new version and waits until MLflow reports it READY. Throws MlflowError if
 * registration fails or does not finish in time.
 */
export async function createModelVersion(
  http: MlflowTransport,
  input: CreateModelVersionInput,
): Promise<ModelVersion> {
  assertValidModelName(input.name);
  const tags = validateTags(input.tags ?? {});
  const response = await http.json<{ model_version?: WireModelVersion }>({
    method: "POST",
    path: `${BASE}/model-versions/create`,
    body: {
      name: input.name,
      source: input.source,
      run_id: input.runId,
      tags,
      description: input.description,
    },
    // A retried create after a lost response would register a second version.
    idempotent: false,
  });
  let version = toModelVersion(response.model_version);
  const deadline = Date.now() + (input.readyTimeoutMs ?? 5 * 60_000);
  for (
    let delay = 100;
    version.status === "PENDING_REGISTRATION";
    delay = Math.min(delay * 2, 2_000)
  ) {
    if (Date.now() > deadline) {
      throw new MlflowError(
        `Model version ${input.name} v${version.version} is still PENDING_REGISTRATION after ${input.readyTimeoutMs ?? 300_000} ms. ` +
          "Expected READY; check the MLflow server log, or raise readyTimeoutMs.",
      );
    }
    await sleep(delay);
    version = await getModelVersion(http, input.name, version.version);
  }
  if (version.status === "FAILED_REGISTRATION") {
    throw new MlflowError(
      `Registering ${input.name} v${version.version} failed: ${version.statusMessage || "no message"}. ` +
        "Expected READY; check that the source path exists and is readable by the server.",
    );
  }
  return version;
}

/** Fetches one version (`version` is MLflow's string, e.g. `"3"`). */
export async function getModelVersion(
  http: MlflowTransport,
  name: string,
  version: string,
): Promise<ModelVersion> {
  assertValidModelName(name);
  const response = await http.json<{ model_version?: WireModelVersion }>({
    method: "GET",
    path: `${BASE}/model-versions/get`,
    params: { name, version: String(version) },
  });
  return toModelVersion(response.model_version);
}

/** Sets (upserts) a tag on a model version. */
export async function setModelVersionTag(
  http: MlflowTransport,
  name: string,
  version: string,
  key: string,
  value: string,
): Promise<void> {
  assertValidModelName(name);
  validateTags({ [key]: value });
  await http.json({
    method: "POST",
    path: `${BASE}/model-versions/set-tag`,
    body: { name, version: String(version), key, value },
  });
}

/** Sets (upserts) a tag on a registered model. */
export async function setRegisteredModelTag(
  http: MlflowTransport,
  name: string,
  key: string,
  value: string,
): Promise<void> {
  assertValidModelName(name);
  validateTags({ [key]: value });
  await http.json({
    method: "POST",
    path: `${BASE}/registered-models/set-tag`,
    body: { name, key, value },
  });
}

/** Points `alias` at `version` (moving it if it pointed elsewhere). */
export async function setAlias(
  http: MlflowTransport,
  name: string,
  alias: string,
  version: string,
): Promise<void> {
  assertValidModelName(name);
  assertValidAlias(alias);
  await http.json({
    method: "POST",
    path: `${BASE}/registered-models/alias`,
    body: { name, alias, version: String(version) },
  });
}

/**
 * Resolves an alias to its version. MLflow 3.17 answers an unknown alias with
 * INVALID_PARAMETER_VALUE (400), not RESOURCE_DOES_NOT_EXIST.
 */
export async function getModelVersionByAlias(
  http: MlflowTransport,
  name: string,
  alias: string,
): Promise<ModelVersion> {
  assertValidModelName(name);
  assertValidAlias(alias);
  const response = await http.json<{ model_version?: WireModelVersion }>({
    method: "GET",
    path: `${BASE}/registered-models/alias`,
    params: { name, alias },
  });
  return toModelVersion(response.model_version);
}

/** Removes an alias (MLflow accepts deleting an alias that does not exist). */
export async function deleteAlias(
  http: MlflowTransport,
  name: string,
  alias: string,
): Promise<void> {
  assertValidModelName(name);
  assertValidAlias(alias);
  await http.json({
    method: "DELETE",
    path: `${BASE}/registered-models/alias`,
    body: { name, alias },
  });
}
