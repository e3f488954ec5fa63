import type { ContentfulStatusCode } from "hono/utils/http-status";
import { KilnHttpError, type ErrorBody } from "./http-errors";

/** Errors of the kernel-lib whose cause is the client's input: they answer 400, never 5xx. */
const clientErrorNames = new Set(["NotebookCompileError", "PipelineParamsError"]);

/**
 * Turns anything a handler threw into a status and an error body. A client's mistake answers
 * 4xx with what to fix; anything else is a 500 whose details stay in the server log.
 */
export function toErrorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof KilnHttpError)
    return { status: error.status as ContentfulStatusCode, body: error.body() };
  if (error instanceof Error && clientErrorNames.has(error.name)) {
    const { fix, problems } = error as { fix?: unknown; problems?: unknown };
    return {
      status: 400,
      body: {
        error: {
          code: error.name
            .replace(/Error$/, "")
            .replace(/([a-z])([A-Z])/g, "$1_$2")
            .toUpperCase(),
          message: error.message,
          ...(typeof fix === "string" ? { fix } : {}),
          ...(Array.isArray(problems) ? { problems } : {}),
        },
      },
    };
  }
  console.error(error);
  return {
    status: 500,
    body: {
      error: {
        code: "INTERNAL",
        message: "Kiln failed to handle this request; the server log has the details.",
      },
    },
  };
}
