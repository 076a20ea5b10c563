import { describe, expect, it } from "vitest";
import { PanicScanner } from "../../functions/adapters/sql/panic-scanner.ts";

// The owner's wire server reads PostgreSQL's answers for a PANIC (pglite-server.ts): the messages
// below are built as the protocol frames them, and fed in every split a socket could give.
function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
function errorResponse(fields: Record<string, string>): Buffer {
  const parts = Object.entries(fields).map(([code, value]) => `${code}${value}\0`);
  return message("E", Buffer.from(`${parts.join("")}\0`, "utf8"));
}
const rows = Buffer.concat([
  message("T", Buffer.from("\0\x01id\0\0\0\0\0\0\0\0\0\0\x17\0\x04\xff\xff\xff\xff\0\0", "latin1")),
  ...Array.from({ length: 3 }, (_, i) => message("D", Buffer.from(`\0\x01\0\0\0\x01${i}`, "latin1"))),
  message("C", Buffer.from("SELECT 3\0")),
]);
const ready = message("Z", Buffer.from("I"));
const panic = errorResponse({
  S: "PANIC",
  V: "PANIC",
  C: "58P01",
  M: 'could not create file "pg_wal/xlogtemp.42": No such file or directory',
});

function scan(answer: Buffer, splitAt: number[]): string | null {
  const scanner = new PanicScanner();
  let from = 0;
  for (const at of [...splitAt, answer.length]) {
    scanner.feed(answer.subarray(from, at));
    from = at;
  }
  return scanner.panic;
}

describe("PanicScanner", () => {
  it("finds a PANIC after rows, however the answer is split", () => {
    const answer = Buffer.concat([rows, panic, ready]);
    expect(scan(answer, [])).toBe('could not create file "pg_wal/xlogtemp.42": No such file or directory');
    for (let at = 1; at < answer.length; at++) expect(scan(answer, [at]), `split at ${at}`).toMatch(/pg_wal/);
    const everyByte = Array.from({ length: answer.length - 1 }, (_, i) => i + 1);
    expect(scan(answer, everyByte)).toMatch(/pg_wal/);
  });

  it("takes the untranslated severity first, and the translated one without it", () => {
    expect(scan(errorResponse({ S: "PANIK", V: "PANIC", M: "m" }), [])).toBe("m");
    expect(scan(errorResponse({ S: "PANIC", M: "old server" }), [])).toBe("old server");
    expect(scan(errorResponse({ S: "PANIC", V: "ERROR", M: "m" }), [])).toBeNull();
  });

  it("ignores errors and notices that are not PANICs, and text that only looks like one", () => {
    const answer = Buffer.concat([
      errorResponse({ S: "ERROR", V: "ERROR", C: "23505", M: "duplicate key value" }),
      message("N", Buffer.from("SNOTICE\0VPANIC\0Mnot an error\0\0")),
      message("D", Buffer.from("\0\x01\0\0\0\x06VPANIC", "latin1")),
      ready,
    ]);
    expect(scan(answer, [])).toBeNull();
    expect(scan(answer, [7, 30, 31])).toBeNull();
  });
});
