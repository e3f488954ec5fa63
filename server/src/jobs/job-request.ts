import type { FeatureRow, ServedModel } from "../serving/endpoint-model";
import { normalizeRows } from "../serving/feature-rows";
import { ServingRequestError } from "../serving/scoring";
import { callbackUrlProblem } from "./callback-delivery";
import type { JobRequest } from "./job-backend";

/**
 * Checks a job before either backend queues it, and returns its rows normalised against the
 * endpoint's model.
 * @throws ServingRequestError 404 for an unknown endpoint, 400 for no rows or a bad callback URL.
 * @throws InputValidationError for a bad row (400).
 */
export function validatedJobRows(
  model: ServedModel | undefined,
  endpoint: string,
  request: JobRequest,
): FeatureRow[] {
  if (!model) {
    throw new ServingRequestError(404, `No model is served at endpoint "${endpoint}".`);
  }
  if (request.rows.length === 0) {
    throw new ServingRequestError(400, "The job has no rows; send at least one row to score.");
  }
  if (request.callbackUrl !== undefined) {
    const problem = callbackUrlProblem(request.callbackUrl);
    if (problem) throw new ServingRequestError(400, problem);
  }
  return normalizeRows(model.inputs, request.rows);
}
