import { describe, expect, it } from "vitest";
import { SseParser, type SseMessage } from "./sse-parser";

/** Every way to cut `stream` into two chunks gives the same messages as one chunk. */
function parsedAtEverySplit(stream: string): SseMessage[][] {
  return Array.from({ length: stream.length + 1 }, (_, cut) => {
    const parser = new SseParser();
    return [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
  });
}

const cases: { name: string; stream: string; messages: SseMessage[] }[] = [
  {
    name: "an event with a type and JSON data",
    stream: 'event: run-started\ndata: {"runId":"r1"}\n\n',
    messages: [{ event: "run-started", data: '{"runId":"r1"}' }],
  },
  {
    name: "a message without a type",
    stream: "data: hello\n\n",
    messages: [{ event: "message", data: "hello" }],
  },
  {
    name: "data lines joined by newlines",
    stream: "data: one\ndata: two\n\n",
    messages: [{ event: "message", data: "one\ntwo" }],
  },
  {
    name: "CRLF and CR line ends",
    stream: "event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\r",
    messages: [
      { event: "a", data: "1" },
      { event: "b", data: "2" },
    ],
  },
  {
    name: "comments (keep-alives) and unknown fields, ignored",
    stream: ": ping\nretry: 1000\nfoo: bar\ndata: x\n\n: ping\n\n",
    messages: [{ event: "message", data: "x" }],
  },
  {
    name: "a value without a space after the colon, and a field without a colon",
    stream: "data:tight\ndata\n\n",
    messages: [{ event: "message", data: "tight\n" }],
  },
  {
    name: "a type without data, not dispatched, and not carried to the next message",
    stream: "event: lonely\n\ndata: next\n\n",
    messages: [{ event: "message", data: "next" }],
  },
  {
    name: "the last event id, kept for the following messages",
    stream: "id: 7\ndata: a\n\ndata: b\n\n",
    messages: [
      { event: "message", data: "a", id: "7" },
      { event: "message", data: "b", id: "7" },
    ],
  },
  {
    name: "a message not closed by a blank line, held back",
    stream: "data: complete\n\ndata: cut off",
    messages: [{ event: "message", data: "complete" }],
  },
];

describe("SseParser", () => {
  for (const { name, stream, messages } of cases) {
    it(`reads ${name}, however the stream is cut into chunks`, () => {
      for (const parsed of parsedAtEverySplit(stream)) expect(parsed).toEqual(messages);
    });
  }

  it("reads a stream that arrives one character at a time", () => {
    const parser = new SseParser();
    const stream = 'event: step-log\r\ndata: {"line":"total is 10"}\r\n\r\n';
    const messages = [...stream].flatMap((char) => parser.push(char));
    expect(messages).toEqual([{ event: "step-log", data: '{"line":"total is 10"}' }]);
  });

  it("drops a half-received message when the stream ends", () => {
    const parser = new SseParser();
    parser.push("event: a\ndata: partial");
    parser.end();
    expect(parser.push("\n\ndata: fresh\n\n")).toEqual([{ event: "message", data: "fresh" }]);
  });
});
