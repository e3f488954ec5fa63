import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { KilnHttpError } from "../api/http-errors";
import { toErrorResponse } from "../api/error-responses";
import { describeValue, InputValidationError } from "../serving/endpoint-model";
import { mlflowJsonRows } from "../serving/mlflow-request";
import { ServingRequestError } from "../serving/scoring";
import { JobQueueStoppedError, type JobBackend } from "./job-backend";

/** Options of the jobs routes. */
export type JobsRoutesOptions = {
  /** Largest job body, in bytes; larger ones answer 413. */
  maxBodyBytes?: number;
};

const defaultOptions = {
  maxBodyBytes: 50 * 1024 * 1024,
} satisfies Required<JobsRoutesOptions>;

/**
 * Asynchronous batch scoring over HTTP:
 * - `POST /endpoints/{name}/jobs` with an MLflow scoring body (`dataframe_split`,
 *   `dataframe_records`, `instances` or `inputs`) and optionally `"callback_url"` → 202
 *   `{ job_id, status: "pending", status_url }`;
 * - `GET /jobs/{id}` → the job, with `result` once it succeeded;
 * - `DELETE /jobs/{id}` or `POST /jobs/{id}/cancel` → the canceled job (409 once it has ended).
 * Errors are `{ error: { code, message, fix? } }`.
 *
 * @example
 * app.route("/", jobsRoutes(queue));
 * // POST /endpoints/churn/jobs {"inputs": [[3, 2, true], [5, 1, false]], "callback_url": "https://…"}
 */
export function jobsRoutes(queue: JobBackend, options: JobsRoutesOptions = {}): Hono {
  const opts = { ...defaultOptions, ...options } satisfies Required<JobsRoutesOptions>;
  const routes = new Hono();

  routes.post(
    "/endpoints/:name/jobs",
    bodyLimit({
      maxSize: opts.maxBodyBytes,
      onError: () => {
        throw new KilnHttpError(
          413,
          "JOB_TOO_LARGE",
          `The job body is larger than ${opts.maxBodyBytes} bytes.`,
          "Split the rows over several jobs.",
        );
      },
    }),
    async (c) => {
      const endpoint = c.req.param("name");
      const body = await jsonBody(await c.req.text());
      const { callback_url: callbackUrl, ...scoring } = body;
      try {
        // An unknown endpoint reads no rows: submit() answers its 404.
        const model = queue.model(endpoint);
        const rows = model ? mlflowJsonRows(model, scoring) : [];
        const job = await queue.submit(endpoint, {
          rows,
          ...(callbackUrl === undefined ? {} : { callbackUrl: callbackUrl as string }),
        });
        return c.json(
          { job_id: job.job_id, status: job.status, status_url: `/jobs/${job.job_id}` },
          202,
          { Location: `/jobs/${job.job_id}` },
        );
      } catch (error) {
        throw toHttpError(error, endpoint);
      }
    },
  );

  routes.get("/jobs/:id", async (c) => {
    const job = await queue.get(c.req.param("id"));
    if (!job) throw jobNotFound(c.req.param("id"));
    return c.json(job);
  });

  const cancel = async (id: string) => {
    const outcome = await queue.cancel(id);
    if (!outcome) throw jobNotFound(id);
    if (!outcome.canceled) {
      throw new KilnHttpError(
        409,
        "JOB_FINISHED",
        `Job ${id} has already ended (${outcome.job.status}); only pending or running jobs can be canceled.`,
        `Read its outcome with GET /jobs/${id}.`,
      );
    }
    return outcome.job;
  };
  routes.delete("/jobs/:id", async (c) => c.json(await cancel(c.req.param("id"))));
  routes.post("/jobs/:id/cancel", async (c) => c.json(await cancel(c.req.param("id"))));

  routes.onError((error, c) => {
    const { status, body } = toErrorResponse(error);
    return c.json(body, status);
  });
  return routes;
}

async function jsonBody(text: string): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw new KilnHttpError(
      400,
      "INVALID_JOB",
      `The job body is not valid JSON (${(error as Error).message}).`,
      'Send e.g. {"inputs": [{"tenure": 3, "visits": 2}], "callback_url": "https://example.com/hook"}.',
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new KilnHttpError(
      400,
      "INVALID_JOB",
      `The job body must be a JSON object, got ${describeValue(body)}.`,
      'Send e.g. {"inputs": [{"tenure": 3, "visits": 2}]}.',
    );
  }
  return body as Record<string, unknown>;
}

function toHttpError(error: unknown, endpoint: string): unknown {
  if (error instanceof ServingRequestError) {
    return error.status === 404
      ? new KilnHttpError(
          404,
          "ENDPOINT_NOT_FOUND",
          error.message,
          "List the served endpoints, or deploy a model to this one first.",
        )
      : new KilnHttpError(error.status, "INVALID_JOB", error.message);
  }
  if (error instanceof InputValidationError) {
    return new KilnHttpError(
      400,
      "INVALID_JOB",
      error.message,
      `Check the rows against the inputs of endpoint "${endpoint}".`,
    );
  }
  if (error instanceof JobQueueStoppedError) {
    return new KilnHttpError(503, "JOBS_UNAVAILABLE", error.message);
  }
  return error;
}

function jobNotFound(id: string): KilnHttpError {
  return new KilnHttpError(
    404,
    "JOB_NOT_FOUND",
    `No job ${id}.`,
    "Jobs are kept for a limited time after they end; submit it again with POST /endpoints/{name}/jobs.",
  );
}
