/**
 * The part of OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0) that Kiln's document uses, so the
 * compiler checks the document's shape. Extensions (`x-…`) are allowed where the spec allows them.
 */

/** A JSON Schema 2020-12 subset (OpenAPI 3.1 schemas are JSON Schema). */
export type SchemaObject = {
  $ref?: string;
  type?: "object" | "array" | "string" | "number" | "integer" | "boolean" | "null" | SchemaType[];
  description?: string;
  properties?: Record<string, SchemaObject>;
  required?: string[];
  additionalProperties?: boolean | SchemaObject;
  items?: SchemaObject;
  prefixItems?: SchemaObject[];
  enum?: Array<string | number | boolean | null>;
  const?: string | number | boolean | null;
  oneOf?: SchemaObject[];
  allOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  examples?: unknown[];
  contentMediaType?: string;
};

type SchemaType = "object" | "array" | "string" | "number" | "integer" | "boolean" | "null";

export type ReferenceObject = { $ref: string; summary?: string; description?: string };

export type MediaTypeObject = { schema: SchemaObject; example?: unknown };

export type HeaderObject = { description?: string; schema: SchemaObject };

export type ResponseObject = {
  description: string;
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaTypeObject>;
};

export type ParameterObject = {
  name: string;
  in: "path" | "query" | "header";
  description?: string;
  required?: boolean;
  schema: SchemaObject;
};

export type RequestBodyObject = {
  description?: string;
  required?: boolean;
  content: Record<string, MediaTypeObject>;
};

/** Which scheme and role a call needs; Kiln uses the roles `admin` and `predict`. */
export type SecurityRequirementObject = Record<string, string[]>;

export type OperationObject = {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  parameters?: Array<ParameterObject | ReferenceObject>;
  requestBody?: RequestBodyObject;
  responses: Record<string, ResponseObject | ReferenceObject>;
  security?: SecurityRequirementObject[];
  /** Kiln: the key scope the route needs, or "none" (shown by `/docs`). */
  "x-kiln-scope": "admin" | "predict" | "none";
  /** Kiln: set on routes documented before they are implemented. */
  "x-kiln-planned"?: true;
};

export type HttpMethod = "get" | "post" | "put" | "delete" | "patch";

export type PathItemObject = Partial<Record<HttpMethod, OperationObject>> & {
  parameters?: Array<ParameterObject | ReferenceObject>;
};

export type SecuritySchemeObject =
  | { type: "http"; scheme: "bearer"; description?: string }
  | { type: "apiKey"; name: string; in: "header"; description?: string };

export type OpenApiDocument = {
  openapi: "3.1.0";
  info: {
    title: string;
    version: string;
    description?: string;
    license?: { name: string; identifier?: string };
  };
  servers?: Array<{ url: string; description?: string }>;
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, PathItemObject>;
  components: {
    schemas: Record<string, SchemaObject>;
    responses: Record<string, ResponseObject>;
    parameters: Record<string, ParameterObject>;
    securitySchemes: Record<string, SecuritySchemeObject>;
  };
};
