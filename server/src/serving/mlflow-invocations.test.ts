import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { EndpointRegistry } from "./endpoint-registry";
import { fakeServedModel } from "../../../test/support/fake-served-model";
import { EndpointBatchers } from "./micro-batcher";
import { mlflowInvocationsRoutes } from "./mlflow-invocations";

function servingApp() {
  const registry = new EndpointRegistry();
  registry.swap("churn", fakeServedModel({ version: "3" }));
  const app = new Hono();
  app.route(
    "/",
    mlflowInvocationsRoutes({ registry, batchers: new EndpointBatchers() }, { maxBodyBytes: 4096 }),
  );
  return app;
}

const invoke = (
  app: Hono,
  body: unknown,
  contentType = "application/json",
  path = "/endpoints/churn/invocations",
) =>
  app.request(path, {
    method: "POST",
    headers: contentType ? { "content-type": contentType } : {},
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("MLflow invocations routes", () => {
  // Every format encodes the same two rows: (tenure 2, visits 1) and (tenure 4, visits 0, annual).
  const happyCases: { case: string; body: unknown; contentType?: string }[] = [
    {
      case: "dataframe_split",
      body: {
        dataframe_split: {
          columns: ["tenure", "visits", "annual"],
          data: [
            [2, 1, null],
            [4, 0, true],
          ],
        },
      },
    },
    {
      case: "dataframe_records",
      body: {
        dataframe_records: [
          { tenure: 2, visits: 1 },
          { tenure: 4, visits: 0, annual: true },
        ],
        params: {},
      },
    },
    {
      case: "instances of objects",
      body: {
        instances: [
          { tenure: 2, visits: 1 },
          { tenure: 4, visits: 0, annual: true },
        ],
      },
    },
    {
      case: "instances of lists",
      body: {
        instances: [
          [2, 1, null],
          [4, 0, true],
        ],
      },
    },
    {
      case: "inputs of columns",
      body: { inputs: { tenure: [2, 4], visits: [1, 0], annual: [null, true] } },
    },
    {
      case: "inputs as a list",
      body: {
        inputs: [
          [2, 1, false],
          [4, 0, true],
        ],
      },
    },
    {
      case: "CSV",
      body: 'tenure,visits,annual\r\n2,1,\n"4",0,true\n',
      contentType: "text/csv; charset=utf-8",
    },
  ];

  it.each(happyCases)("scores $case", async ({ body, contentType }) => {
    const response = await invoke(servingApp(), body, contentType);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-kiln-model-version")).toBe("3");
    expect(response.headers.get("x-kiln-fallback")).toBe("false");
    expect(await response.json()).toEqual({
      predictions: [6, 6],
      kiln: { model_version: "3", fallback: [false, false] },
    });
  });

  it("reports the rows answered by the fallback", async () => {
    const response = await invoke(servingApp(), {
      dataframe_records: [{ tenure: null, visits: 1 }],
    });
    expect(response.headers.get("x-kiln-fallback")).toBe("true");
    expect(await response.json()).toEqual({
      predictions: [-1],
      kiln: { model_version: "3", fallback: [true] },
    });
  });

  const errorCases: {
    case: string;
    body: unknown;
    contentType?: string;
    path?: string;
    status: number;
    code?: string;
    message: string | RegExp;
  }[] = [
    {
      case: "malformed JSON",
      body: '{"instances": [',
      status: 400,
      message: /^The request body is not valid JSON/,
    },
    {
      case: "no input format",
      body: { rows: [] },
      status: 400,
      message: /^Unknown field "rows"; the body holds one of/,
    },
    {
      case: "two input formats",
      body: { instances: [], inputs: [] },
      status: 400,
      message: 'The body holds "instances" and "inputs"; send exactly one of them.',
    },
    {
      case: "a dataframe_split row of the wrong length",
      body: { dataframe_split: { columns: ["tenure", "visits"], data: [[1]] } },
      status: 400,
      message: '"dataframe_split" row 0: expected a list of 2 values (tenure, visits), got [1].',
    },
    {
      case: "a list instance of the wrong length",
      body: { instances: [[1, 2]] },
      status: 400,
      message: /^"instances" row 0: a list row holds the model's 3 features in order/,
    },
    {
      case: "wrong datatype",
      body: { dataframe_records: [{ tenure: 2, visits: 1.5 }] },
      status: 400,
      message: 'Input "visits" (row 0): expected a 32-bit integer (INT32) or null, got 1.5.',
    },
    {
      case: "unknown column",
      body: { dataframe_records: [{ tenure: 2, visits: 1, age: 40 }] },
      status: 400,
      message: /^Unknown input "age" in row 0; the model's inputs are "tenure" \(FP32\)/,
    },
    {
      case: "missing required column",
      body: { inputs: { tenure: [1] } },
      status: 400,
      message:
        'Missing required input "visits" in row 0; send a 32-bit integer (INT32) or null for it.',
    },
    {
      case: "columns of different lengths",
      body: { inputs: { tenure: [1, 2], visits: [1] } },
      status: 400,
      message:
        '"inputs" column "visits" has 1 values but column "tenure" has 2; every column needs one value per row.',
    },
    {
      case: "a CSV value of the wrong type",
      body: "tenure,visits\n2,many\n",
      contentType: "text/csv",
      status: 400,
      message: 'CSV line 2, column "visits": expected a number, got "many".',
    },
    {
      case: "a row the model refuses",
      body: { instances: [{ tenure: -2, visits: 1 }] },
      status: 400,
      message: 'Input "tenure" (row 0): expected a number >= 0, got -2.',
    },
    {
      case: "another content type",
      body: "tenure=2",
      contentType: "application/x-www-form-urlencoded",
      status: 415,
      message: /^Content type "application\/x-www-form-urlencoded" is not supported/,
    },
    {
      case: "unknown endpoint",
      body: { instances: [] },
      path: "/endpoints/fraud/invocations",
      status: 404,
      code: "RESOURCE_DOES_NOT_EXIST",
      message: 'No model "fraud" is served. Served models: "churn".',
    },
    {
      case: "a body over the limit",
      body: { instances: new Array(2000).fill([1, 1, null]) },
      status: 413,
      message: /^The request body is larger than 4096 bytes/,
    },
  ];

  it.each(errorCases)(
    "answers $status for $case",
    async ({ body, contentType, path, status, code, message }) => {
      const response = await invoke(servingApp(), body, contentType ?? "application/json", path);
      expect(response.status).toBe(status);
      const answer = (await response.json()) as { error_code: string; message: string };
      expect(answer.error_code).toBe(code ?? "BAD_REQUEST");
      if (typeof message === "string") expect(answer.message).toBe(message);
      else expect(answer.message).toMatch(message);
    },
  );
});
