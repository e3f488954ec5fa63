// Against a real HTTP server on the loopback interface, not a mocked fetch.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKilnHealth, requestKiln } from "./request";
import { KilnServerError } from "./tokens";

let server: Server;
let baseUrl: string;
let lastRequest: IncomingMessage | undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    lastRequest = request;
    const answers: Record<string, [number, string]> = {
      "/health": [200, '{"status":"ok"}'],
      "/prefix/health": [200, '{"status":"ok"}'],
      "/not-kiln/health": [200, '{"healthy":true}'],
      "/html": [200, "<html></html>"],
      "/secret": [401, '{"error":{}}'],
      "/api/pipelines/compile": [
        400,
        JSON.stringify({
          error: {
            code: "NOTEBOOK_COMPILE",
            message: "cell 2 reads `xs`, defined nowhere upstream.",
            fix: "Declare `xs` in an earlier step.",
            problems: [{ code: "undefined-name", cell: { index: 2, firstLine: "" } }],
          },
        }),
      ],
    };
    const [status, body] = answers[request.url ?? ""] ?? [404, "{}"];
    response.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

async function failureOf(promise: Promise<unknown>): Promise<KilnServerError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KilnServerError);
  return error as KilnServerError;
}

describe("requestKiln", () => {
  it("returns the server's JSON answer", async () => {
    expect(await requestKiln({ serverUrl: baseUrl, apiKey: "" }, "/health")).toEqual({
      status: "ok",
    });
  });

  it("sends the API key as a bearer token, and no header without one", async () => {
    await requestKiln({ serverUrl: baseUrl, apiKey: "kiln_abc" }, "/health");
    expect(lastRequest?.headers.authorization).toBe("Bearer kiln_abc");
    await requestKiln({ serverUrl: baseUrl, apiKey: "" }, "/health");
    expect(lastRequest?.headers.authorization).toBeUndefined();
  });

  it("keeps a path prefix of the server URL, with or without a trailing slash", async () => {
    for (const serverUrl of [`${baseUrl}/prefix`, `${baseUrl}/prefix/`]) {
      expect(await requestKiln({ serverUrl, apiKey: "" }, "/health")).toEqual({ status: "ok" });
    }
  });

  const failures: { name: string; serverUrl: () => string; path: string; reason: string }[] = [
    {
      name: "nothing listens",
      serverUrl: () => "http://127.0.0.1:9",
      path: "/health",
      reason: "unreachable",
    },
    { name: "an error status", serverUrl: () => baseUrl, path: "/missing", reason: "bad-response" },
    {
      name: "a body that is not JSON",
      serverUrl: () => baseUrl,
      path: "/html",
      reason: "bad-response",
    },
    {
      name: "a URL that is not http",
      serverUrl: () => "ftp://x",
      path: "/health",
      reason: "invalid-url",
    },
    { name: "no URL at all", serverUrl: () => "", path: "/health", reason: "invalid-url" },
  ];
  for (const { name, serverUrl, path, reason } of failures) {
    it(`fails with a KilnServerError (${reason}) on ${name}, saying how to fix it`, async () => {
      const error = await failureOf(requestKiln({ serverUrl: serverUrl(), apiKey: "" }, path));
      expect(error.reason).toBe(reason);
      expect(error.serverUrl).toBe(serverUrl());
      expect(error.fix).toMatch(/Settings → Kiln/);
    });
  }

  it("says to start the server when nothing answers", async () => {
    const error = await failureOf(
      requestKiln({ serverUrl: "http://127.0.0.1:9", apiKey: "" }, "/"),
    );
    expect(error.message).toBe("Kiln server unreachable at http://127.0.0.1:9");
    expect(error.fix).toMatch(/`npm start` or `kiln serve`/);
  });

  it("carries the response and asks for a key when the server refuses", async () => {
    const error = await failureOf(requestKiln({ serverUrl: baseUrl, apiKey: "" }, "/secret"));
    expect(error.response?.status).toBe(401);
    expect(error.fix).toMatch(/kiln keys create/);
  });

  it("passes on the Kiln server's own message, fix, code and problems", async () => {
    const error = await failureOf(
      requestKiln({ serverUrl: baseUrl, apiKey: "" }, "/api/pipelines/compile"),
    );
    expect(error).toMatchObject({
      reason: "bad-response",
      message: "cell 2 reads `xs`, defined nowhere upstream.",
      fix: "Declare `xs` in an earlier step.",
      code: "NOTEBOOK_COMPILE",
      problems: [{ code: "undefined-name", cell: { index: 2, firstLine: "" } }],
    });
  });
});

describe("checkKilnHealth", () => {
  it("resolves when a Kiln server answers", async () => {
    await expect(checkKilnHealth({ serverUrl: baseUrl, apiKey: "" })).resolves.toBeUndefined();
  });

  it("fails when the server answers /health, but not as Kiln does", async () => {
    const error = await failureOf(
      checkKilnHealth({ serverUrl: `${baseUrl}/not-kiln`, apiKey: "" }),
    );
    expect(error.reason).toBe("bad-response");
    expect(error.message).toMatch(/not as a Kiln server does/);
  });
});
