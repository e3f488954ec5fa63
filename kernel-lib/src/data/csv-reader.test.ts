import { describe, expect, it } from "vitest";
import { readCsv } from "./csv-reader";
import { MalformedLineError } from "./errors";

/** Reads `text` split into `chunkSize` pieces, so fields and line breaks cross chunks. */
async function read(text: string, chunkSize = 3, batchRows = 1000, delimiter?: string) {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkSize) yield text.slice(i, i + chunkSize);
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  let columns: string[] = [];
  let batches = 0;
  const options = { batchRows, source: "t.csv", ...(delimiter ? { delimiter } : {}) };
  for await (const batch of readCsv(chunks(), options)) {
    batches++;
    columns = batch.columns;
    for (let r = 0; r < batch.length; r++) {
      rows.push(batch.columns.map((_, c) => batch.fields.value(c, r)));
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
    {
      name: "numbers as their text: negative, exponents, NaN",
      text: "a,b,c\n-1.5e3,NaN,+0.25\n-7,1E-2,\n",
      rows: [
        ["-1.5e3", "NaN", "+0.25"],
        ["-7", "1E-2", ""],
      ],
      lines: [2, 3],
    },
    {
      name: "quoted fields next to plain ones, with commas, line breaks and escapes",
      text: 'id,note,x\n1,"a, b",2.5\n2,"x\r\ny ""z""",-3\n3,"",\n4,plain,"7"\r\n',
      rows: [
        ["1", "a, b", "2.5"],
        ["2", 'x\r\ny "z"', "-3"],
        ["3", "", ""],
        ["4", "plain", "7"],
      ],
      lines: [2, 3, 5, 6],
    },
    {
      name: "a quoted header with an escaped quote",
      text: '"a ""1""",b\n1,2\n',
      rows: [["1", "2"]],
      lines: [2],
    },
    {
      name: "a field that is only doubled quotes",
      text: 'a,b\n"""""",1\n',
      rows: [['""', "1"]],
      lines: [2],
    },
  ];

  for (const { name, text, rows, lines } of cases) {
    it(`reads ${name}`, async () => {
      for (const chunkSize of [1, 3, 7, 1 << 20]) {
        for (const batchRows of [1, 2, 1000]) {
          const result = await read(text, chunkSize, batchRows);
          expect(result.rows).toEqual(rows);
          expect(result.lines).toEqual(lines);
        }
      }
    });
  }

  it("reads back random fields written by the RFC 4180 rules, however the text is cut", async () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pieces = ["a", "1", "-2.5e3", ",", '"', "\n", "\r\n", " ", "", "NaN", "é"];
    const field = () =>
      Array.from(
        { length: Math.floor(random() * 4) },
        () => pieces[Math.floor(random() * pieces.length)],
      ).join("");
    const quoted = (value: string) =>
      /[",\r\n]/.test(value) || random() < 0.2 ? `"${value.replaceAll('"', '""')}"` : value;
    const rows = Array.from({ length: 300 }, () => [field(), field(), field()]);
    // A row of empty fields would be a blank line only with one column; three keep it a row.
    const text = `x,y,z\n${rows.map((row) => row.map(quoted).join(",")).join(random() < 0.5 ? "\n" : "\r\n")}\n`;
    for (const [chunkSize, batchRows] of [
      [1, 7],
      [5, 64],
      [97, 1000],
      [1 << 20, 50],
    ] as const) {
      const result = await read(text, chunkSize, batchRows);
      expect(result.rows).toEqual(rows);
    }
  });

  it("reads another delimiter", async () => {
    const result = await read('a\tb\n1,5\t"x\ty"\n', 2, 1000, "\t");
    expect(result.columns).toEqual(["a", "b"]);
    expect(result.rows).toEqual([["1,5", "x\ty"]]);
  });

  it("keeps every row of batches that span many chunks", async () => {
    const lines = Array.from({ length: 500 }, (_, i) => `${i},"q${i}",${-i / 8}`);
    const result = await read(`n,q,f\n${lines.join("\n")}\n`, 13, 64);
    expect(result.batches).toBe(8);
    expect(result.rows).toEqual(
      Array.from({ length: 500 }, (_, i) => [String(i), `q${i}`, String(-i / 8)]),
    );
  });

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
      name: "an unclosed quote on the last line",
      text: 'a,b\n1,2\n3,"4\n',
      row: 2,
      line: 3,
      message: /never closed/,
    },
    {
      name: "too many fields in a line with quotes",
      text: 'a,b\n"1",2,3\n',
      row: 1,
      line: 2,
      message: /3 fields, the header has 2/,
    },
    {
      name: "too few fields after a quoted line break",
      text: 'a,b\n"1\n2",3\n4\n',
      row: 2,
      line: 4,
      message: /1 fields/,
    },
    {
      name: "a bad line in a later batch",
      text: `n,m\n${Array.from({ length: 24 }, (_, i) => `${i},${i}`).join("\n")}\n24\n`,
      row: 25,
      line: 26,
      message: /1 fields, the header has 2/,
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
      const error = await read(text, 3, 10).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedLineError);
      expect(error).toMatchObject({ row, line });
      expect((error as Error).message).toMatch(message);
    });
  }
});
