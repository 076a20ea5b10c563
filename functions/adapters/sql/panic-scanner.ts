/**
 * Finds a PANIC among the messages PostgreSQL streams to a client, whatever the chunks they arrive
 * in: only the five-byte headers are read, and the fields of ErrorResponses. PostgreSQL answers a
 * PANIC (its WAL could not be written: the disk full, the data folder gone) and then restarts every
 * backend; PGlite cannot restart, and its one session answered nothing but errors after one ("cannot
 * drop active portal"), so its owner must stop (pglite-server.ts).
 */
export class PanicScanner {
  private readonly header = Buffer.alloc(5);
  private headerBytes = 0;
  /** Bytes of the current message's body still to come. */
  private remaining = 0;
  /** The body of the ErrorResponse being read, in pieces; null inside any other message. */
  private errorBody: Buffer[] | null = null;
  /** The first PANIC's message, once one was seen. */
  panic: string | null = null;

  /** Reads the next bytes of the answer (a view that may be overwritten after this call). */
  feed(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.errorBody?.push(Buffer.from(chunk.subarray(at, at + take)));
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endMessage();
        continue;
      }
      let type: number;
      let length: number;
      if (this.headerBytes === 0 && chunk.length - at >= 5) {
        // The usual case, read in place: an answer of 15,000 rows is 15,000 headers.
        type = chunk[at]!;
        length =
          ((chunk[at + 1]! << 24) | (chunk[at + 2]! << 16) | (chunk[at + 3]! << 8) | chunk[at + 4]!) >>> 0;
        at += 5;
      } else {
        const take = Math.min(this.header.length - this.headerBytes, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerBytes);
        this.headerBytes += take;
        at += take;
        if (this.headerBytes < this.header.length) return;
        this.headerBytes = 0;
        type = this.header[0]!;
        length = this.header.readUInt32BE(1);
      }
      this.remaining = length - 4; // the length counts itself
      this.errorBody = type === ERROR_RESPONSE ? [] : null;
      if (this.remaining === 0) this.endMessage();
    }
  }

  private endMessage(): void {
    if (this.errorBody) {
      const fields = errorFields(Buffer.concat(this.errorBody));
      // V: the severity never translated (PostgreSQL 9.6 on); S: possibly in the server's language.
      if ((fields.get("V") ?? fields.get("S")) === "PANIC") this.panic ??= fields.get("M") ?? "PANIC";
    }
    this.errorBody = null;
  }
}

const ERROR_RESPONSE = "E".charCodeAt(0);

/** An ErrorResponse's fields: a type byte and a NUL-terminated string each, a NUL at the end. */
function errorFields(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  for (let at = 0; at < body.length && body[at] !== 0; ) {
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields.set(String.fromCharCode(body[at]!), body.toString("utf8", at + 1, end));
    at = end + 1;
  }
  return fields;
}
