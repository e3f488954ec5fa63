import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { isSafeRequestId, requestIds } from "./request-ids";

describe("requestIds", () => {
  const app = new Hono();
  app.use("*", requestIds());
  app.get("/ok", (c) => c.json({ id: c.get("requestId") }));
  app.get("/fails", () => {
    throw new Error("boom");
  });
  app.get("/raw", () => new Response("plain"));
  app.onError((_, c) => c.json({ error: "failed" }, 500));

  it.each([
    ["a UUID", "3f2c7e0a-5d7b-4a51-9e1f-2b8c6d4e9a10", true],
    ["a trace id with dots and colons", "trace:abc.123_x-y", true],
    ["128 characters", "a".repeat(128), true],
    ["129 characters", "a".repeat(129), false],
    ["spaces", "order 42", false],
    ["quotes (SQL)", "x'; DROP TABLE t; --", false],
    ["an empty string", "", false],
  ])("accepts or replaces %s", async (_, sent, kept) => {
    expect(isSafeRequestId(sent)).toBe(kept);
    const response = await app.request("/ok", { headers: { "x-request-id": sent } });
    const id = response.headers.get("x-request-id");
    expect(((await response.json()) as { id: string }).id).toBe(id);
    if (kept) expect(id).toBe(sent);
    else
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("puts the id on errors and on answers built without the context", async () => {
    const failed = await app.request("/fails", { headers: { "x-request-id": "r-1" } });
    expect(failed.status).toBe(500);
    expect(failed.headers.get("x-request-id")).toBe("r-1");
    const raw = await app.request("/raw", { headers: { "x-request-id": "r-2" } });
    expect(raw.headers.get("x-request-id")).toBe("r-2");
  });

  it("gives every request its own id when the client sends none", async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(async () => (await app.request("/ok")).headers.get("x-request-id")),
    );
    expect(new Set(ids).size).toBe(3);
  });
});
