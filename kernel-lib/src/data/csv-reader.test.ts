import { describe, expect, it } from "vitest";
import { readCsv } from "./csv-reader";
import { MalformedLineError } from "./errors";

/** Reads `text` split into `chunkSize` pieces, so fields and line breaks cross chunks. */
async function read(text: string, chunkSize = 3, batchRows = 1000) {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  let columns: string[] = [];
  let batches = 0;
  for await (const batch of readCsv(chunks(), { batchRows, source: "t.csv" })) {
    batches++;
    columns = batch.columns;
    for (let r = 0; r < batch.length; r++) {
      rows.push(batch.values.map((column) => column[r] as string));
      lines.push(batch.lines![r]!);
    }
  }
  return { columns, rows, lines, batches };
}

describe("readCsv", () => {
  const cases: { name: string; text: string; rows: string[][]; lines: number[] }[] = [
    {
      name: "plain fields",
      text: "a,b\n1,2\n3,4\n",
      rows: [
        ["1", "2"],
        ["3", "4"],
      ],
      lines: [2, 3],
    },
    {
      name: "CRLF line ends",
      text: "a,b\r\n1,2\r\n3,4",
      rows: [
        ["1", "2"],
        ["3", "4"],
      ],
      lines: [2, 3],
    },
    { name: "a byte-order mark", text: "\ufeffa,b\n1,2\n", rows: [["1", "2"]], lines: [2] },
    {
      name: "empty fields",
      text: "a,b,c\n,,\n1,,3\n",
      rows: [
        ["", "", ""],
        ["1", "", "3"],
      ],
      lines: [2, 3],
    },
    {
      name: "quoted delimiters and escaped quotes",
      text: 'a,b\n"x, y","say ""hi"""\n',
      rows: [["x, y", 'say "hi"']],
      lines: [2],
    },
    {
      name: "line breaks inside quotes (later rows keep their file lines)",
      text: 'a,b\n"one\ntwo",1\n"three\r\nfour",2\nfive,3\n',
      rows: [
        ["one\ntwo", "1"],
        ["three\r\nfour", "2"],
        ["five", "3"],
      ],
      lines: [2, 4, 6],
    },
    { name: "blank lines are skipped", text: "a\n1\n\n2\n\n", rows: [["1"], ["2"]], lines: [2, 4] },
    {
      name: "a quoted last field without a final newline",
      text: 'a,b\n1,"2"',
      rows: [["1", "2"]],
      lines: [2],
    },
  ];

  for (const { name, text, rows, lines } of cases) {
    it(`reads ${name}`, async () => {
      for (const chunkSize of [1, 3, 1 << 20]) {
        const result = await read(text, chunkSize);
        expect(result.rows).toEqual(rows);
        expect(result.lines).toEqual(lines);
      }
    });
  }

  it("yields batches of at most batchRows rows", async () => {
    const text = ["n", ...Array.from({ length: 25 }, (_, i) => String(i))].join("\n");
    const result = await read(text, 7, 10);
    expect(result.batches).toBe(3);
    expect(result.rows.map((r) => r[0])).toEqual(Array.from({ length: 25 }, (_, i) => String(i)));
  });

  const malformed: { name: string; text: string; row: number; line: number; message: RegExp }[] = [
    {
      name: "too few fields",
      text: "a,b\n1,2\n3\n",
      row: 2,
      line: 3,
      message: /1 fields, the header has 2/,
    },
    { name: "too many fields", text: "a,b\n1,2,3\n", row: 1, line: 2, message: /3 fields/ },
    {
      name: "an unclosed quote",
      text: 'a,b\n1,2\n"3,4\n5,6\n',
      row: 2,
      line: 3,
      message: /never closed/,
    },
    {
      name: "text after a closing quote",
      text: 'a,b\n"1"x,2\n',
      row: 1,
      line: 2,
      message: /follows the closing quote/,
    },
    {
      name: "a quote inside an unquoted field",
      text: 'a,b\n1,2\n3,4"5\n',
      row: 2,
      line: 3,
      message: /does not start with one/,
    },
    {
      name: "a repeated header name",
      text: "a,a\n1,2\n",
      row: 0,
      line: 1,
      message: /names column "a" twice/,
    },
  ];

  for (const { name, text, row, line, message } of malformed) {
    it(`rejects ${name} with its row and line`, async () => {
      const error = await read(text).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedLineError);
      expect(error).toMatchObject({ row, line });
      expect((error as Error).message).toMatch(message);
    });
  }
});
