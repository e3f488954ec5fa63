import type {
  OperationObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from "./openapi-types";

/** The key scope an operation needs. */
export type Scope = OperationObject["x-kiln-scope"];

/** A `$ref` to a shared response or parameter. */
export const ref = (kind: "responses" | "parameters", name: string): ReferenceObject => ({
  $ref: `#/components/${kind}/${name}`,
});

/** A JSON response of `schema`. */
export const json = (schema: SchemaObject, description: string): ResponseObject => ({
  description,
  content: { "application/json": { schema } },
});

/** A required JSON request body of `schema`. */
/** An object schema with its properties, the required ones, and an optional description. */
export const obj = (
  properties: Record<string, SchemaObject>,
  required: string[],
  description?: string,
): SchemaObject => ({
  type: "object",
  properties,
  required,
  ...(description ? { description } : {}),
});

export const jsonBody = (schema: SchemaObject) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** Security and the key errors of a route needing `scope`. */
function guarded(scope: Scope): Pick<OperationObject, "security" | "x-kiln-scope"> & {
  keyErrors: Record<string, ReferenceObject>;
} {
  if (scope === "none") return { security: [], "x-kiln-scope": "none", keyErrors: {} };
  return {
    security: [{ bearerKey: [scope] }, { kilnKey: [scope] }],
    "x-kiln-scope": scope,
    keyErrors: {
      "401": ref("responses", "Unauthenticated"),
      ...(scope === "admin" ? { "403": ref("responses", "Forbidden") } : {}),
    },
  };
}

/**
 * An operation with its scope's security and key errors filled in.
 *
 * @example
 * operation("admin", { operationId: "listEndpoints", summary: "…", responses: { "200": json(schemaRef("EndpointList"), "…") } });
 */
export function operation(
  scope: Scope,
  op: Omit<OperationObject, "security" | "x-kiln-scope">,
): OperationObject {
  const { keyErrors, ...security } = guarded(scope);
  return { ...op, ...security, responses: { ...op.responses, ...keyErrors } };
}
