// Server-sent events, read from a fetched body: the browser's EventSource cannot send the
// Authorization header the Kiln server needs, so the extension parses the stream itself, after
// the HTML standard's "event stream interpretation".

/** One dispatched event: its `event` field (default `message`), its data lines joined by "\n". */
export type SseMessage = { event: string; data: string; id?: string };

/**
 * Turns chunks of an event stream, cut anywhere, into messages. Lines end in LF, CRLF or CR; a
 * blank line dispatches; `:` starts a comment; a message without data is not dispatched.
 *
 * @example
 * ```ts
 * const parser = new SseParser();
 * parser.push("event: step-status\ndata: {\"step\"");      // []
 * parser.push(": \"train\"}\n\n");                          // [{ event: "step-status", data: '{"step": "train"}' }]
 * ```
 */
export class SseParser {
  #buffer = "";
  // A chunk that ended in CR: its LF may open the next chunk, and is not a second line end.
  #afterCr = false;
  #event = "";
  #data: string[] = [];
  #id: string | undefined;

  /** Reads `chunk` and returns the messages it completes. */
  push(chunk: string): SseMessage[] {
    let text = chunk;
    if (this.#afterCr && text.startsWith("\n")) text = text.slice(1);
    this.#afterCr = text.endsWith("\r");
    this.#buffer += text;
    const messages: SseMessage[] = [];
    const lineEnd = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = lineEnd.exec(this.#buffer); match; match = lineEnd.exec(this.#buffer)) {
      const message = this.#line(this.#buffer.slice(start, match.index));
      if (message) messages.push(message);
      start = match.index + match[0].length;
    }
    this.#buffer = this.#buffer.slice(start);
    return messages;
  }

  /**
   * The stream ended. A message not closed by a blank line is dropped, as the standard says: a
   * server cut off mid-message sent nothing whole.
   */
  end(): void {
    this.#buffer = "";
    this.#afterCr = false;
    this.#event = "";
    this.#data = [];
  }

  #line(line: string): SseMessage | undefined {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.#event = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) this.#id = value;
        break;
      // `retry` and unknown fields: nothing to do for a reader that does not reconnect by itself.
    }
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    const data = this.#data;
    const event = this.#event;
    this.#data = [];
    this.#event = "";
    if (data.length === 0) return undefined;
    return {
      event: event === "" ? "message" : event,
      data: data.join("\n"),
      ...(this.#id !== undefined ? { id: this.#id } : {}),
    };
  }
}
