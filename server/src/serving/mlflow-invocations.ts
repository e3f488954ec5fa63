import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { InputValidationError } from "./endpoint-model";
import { mlflowCsvRows, mlflowJsonRows, mlflowPredictions } from "./mlflow-request";
import {
  observeScoring,
  resolveModel,
  scoreRows,
  servingHeaders,
  ServingRequestError,
  type ServingDeps,
} from "./scoring";

/** Options of the MLflow scoring routes. */
export type MlflowInvocationsOptions = {
  /** Largest request body, in bytes; larger ones answer 413. */
  maxBodyBytes?: number;
};

const defaultOptions = {
  maxBodyBytes: 10 * 1024 * 1024,
} satisfies Required<MlflowInvocationsOptions>;

/** MLflow's error codes for the statuses serving answers. */
const errorCodes: Record<number, string> = {
  400: "BAD_REQUEST",
  404: "RESOURCE_DOES_NOT_EXIST",
  413: "BAD_REQUEST",
  415: "BAD_REQUEST",
  500: "INTERNAL_ERROR",
};

/**
 * MLflow's scoring protocol (`mlflow models serve`) per endpoint: `POST /endpoints/{name}/invocations`
 * with a JSON body (`dataframe_split`, `dataframe_records`, `instances` or `inputs`) or `text/csv`.
 * Answers `{"predictions": [...], "kiln": {model_version, fallback}}` (MLflow clients read only
 * `predictions`) with headers `X-Kiln-Model-Version` and `X-Kiln-Fallback`. Errors are
 * `{"error_code", "message"}`: 400 for a bad body, 404 for an unknown endpoint, 413 for a body over
 * `maxBodyBytes`, 415 for another content type.
 *
 * @example
 * app.route("/", mlflowInvocationsRoutes({ registry, batchers }));
 * // POST /endpoints/churn/invocations {"dataframe_records": [{"tenure": 3}]}
 */
export function mlflowInvocationsRoutes(
  deps: ServingDeps,
  options: MlflowInvocationsOptions = {},
): Hono {
  const opts = { ...defaultOptions, ...options } satisfies Required<MlflowInvocationsOptions>;
  const routes = new Hono();

  routes.post(
    "/endpoints/:name/invocations",
    observeScoring(deps, "mlflow"),
    bodyLimit({
      maxSize: opts.maxBodyBytes,
      onError: (c) =>
        c.json(
          {
            error_code: errorCodes[413],
            message: `The request body is larger than ${opts.maxBodyBytes} bytes; send fewer rows per request.`,
          },
          413,
        ),
    }),
    async (c) => {
      const model = resolveModel(deps, c.req.param("name"));
      c.set("scoring", { model });
      const rows = await requestRows(
        c,
        (body) => mlflowJsonRows(model, body),
        (csv) => mlflowCsvRows(model, csv),
      );
      const prediction = await scoreRows(deps, model, rows);
      c.set("scoring", { model: prediction.model, scored: prediction });
      return c.json(
        {
          predictions: mlflowPredictions(prediction),
          kiln: { model_version: prediction.model.version, fallback: prediction.usedFallback },
        },
        200,
        servingHeaders(prediction),
      );
    },
  );

  routes.onError((error, c) => {
    const { status, message } = mlflowError(error);
    return c.json({ error_code: errorCodes[status] ?? "BAD_REQUEST", message }, status);
  });
  return routes;
}

async function requestRows(
  c: Context,
  fromJson: (body: unknown) => unknown[],
  fromCsv: (csv: string) => unknown[],
): Promise<unknown[]> {
  const contentType =
    (c.req.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  const text = await c.req.text();
  if (contentType === "text/csv") return fromCsv(text);
  if (contentType !== "application/json") {
    throw new ServingRequestError(
      415,
      `Content type ${contentType === "" ? "(none)" : `"${contentType}"`} is not supported; send "Content-Type: application/json" or "text/csv".`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ServingRequestError(
      400,
      `The request body is not valid JSON (${(error as Error).message}); send e.g. {"dataframe_records": [{...}]}.`,
    );
  }
  return fromJson(body);
}

function mlflowError(error: unknown): { status: ContentfulStatusCode; message: string } {
  if (error instanceof ServingRequestError) return { status: error.status, message: error.message };
  if (error instanceof InputValidationError) return { status: 400, message: error.message };
  console.error(error);
  return { status: 500, message: "Kiln failed to run the model; the server log has the details." };
}
