/**
 * A small namespace-aware XML scanner (start tags, end tags, text) for reading back documents this
 * project writes, e.g. METS summaries and test checks. It checks tag nesting but is not a validating
 * parser: no DTD entities beyond the five predefined ones and character references.
 */

export interface XmlAttribute {
  ns: string;
  local: string;
  value: string;
}

export interface XmlStart {
  ns: string;
  local: string;
  qname: string;
  attrs: XmlAttribute[];
  /** Offset of "<" in the input, for error messages (see lineAt). */
  offset: number;
}

export interface XmlHandlers {
  start?(tag: XmlStart, ancestors: readonly XmlStart[]): void;
  end?(tag: XmlStart, ancestors: readonly XmlStart[]): void;
  text?(text: string, ancestors: readonly XmlStart[]): void;
}

const MARKUP =
  /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/y;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const XML_NS = "http://www.w3.org/XML/1998/namespace";

export function scanXml(xml: string, handlers: XmlHandlers): void {
  const open: XmlStart[] = [];
  const scopes: Array<Map<string, string>> = [new Map([["xml", XML_NS]])];
  let position = 0;
  while (position < xml.length) {
    const lt = xml.indexOf("<", position);
    const textEnd = lt === -1 ? xml.length : lt;
    if (textEnd > position && handlers.text)
      handlers.text(decodeEntities(xml.slice(position, textEnd)), open);
    if (lt === -1) break;
    MARKUP.lastIndex = lt;
    const match = MARKUP.exec(xml);
    if (!match) throw new Error(`XML scan: malformed markup at line ${lineAt(xml, lt)}`);
    position = MARKUP.lastIndex;
    const [, cdata, endName, startName, attrText, selfClosing] = match;
    if (cdata !== undefined) {
      handlers.text?.(cdata, open);
    } else if (endName !== undefined) {
      const tag = open.pop();
      if (!tag || tag.qname !== endName) {
        throw new Error(`XML scan: </${endName}> does not close <${tag?.qname}> (line ${lineAt(xml, lt)})`);
      }
      scopes.pop();
      handlers.end?.(tag, open);
    } else if (startName !== undefined) {
      const raw = [...(attrText ?? "").matchAll(ATTRIBUTE)].map(
        (m) => [m[1]!, decodeEntities(m[2] ?? m[3] ?? "")] as const,
      );
      let scope = scopes[scopes.length - 1]!;
      for (const [name, value] of raw) {
        if (name !== "xmlns" && !name.startsWith("xmlns:")) continue;
        // Copy on write: most elements declare no namespace and share their parent's scope.
        if (scope === scopes[scopes.length - 1]) scope = new Map(scope);
        scope.set(name === "xmlns" ? "" : name.slice(6), value);
      }
      const tag: XmlStart = {
        ...resolve(startName, scope, true, xml, lt),
        qname: startName,
        attrs: raw
          .filter(([name]) => name !== "xmlns" && !name.startsWith("xmlns:"))
          .map(([name, value]) => ({ ...resolve(name, scope, false, xml, lt), value })),
        offset: lt,
      };
      handlers.start?.(tag, open);
      if (selfClosing === "/") {
        handlers.end?.(tag, open);
      } else {
        open.push(tag);
        scopes.push(scope);
      }
    }
  }
  if (open.length > 0) throw new Error(`XML scan: <${open[open.length - 1]!.qname}> is never closed`);
}

function resolve(
  qname: string,
  scope: Map<string, string>,
  isElement: boolean,
  xml: string,
  offset: number,
): { ns: string; local: string } {
  const colon = qname.indexOf(":");
  if (colon === -1) return { ns: isElement ? (scope.get("") ?? "") : "", local: qname };
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined)
    throw new Error(`XML scan: undeclared prefix "${prefix}" (line ${lineAt(xml, offset)})`);
  return { ns, local: qname.slice(colon + 1) };
}

export function attrValue(tag: XmlStart, local: string, ns = ""): string | undefined {
  return tag.attrs.find((a) => a.local === local && a.ns === ns)?.value;
}

export function lineAt(xml: string, offset: number): number {
  let line = 1;
  for (let i = xml.indexOf("\n"); i !== -1 && i < offset; i = xml.indexOf("\n", i + 1)) line++;
  return line;
}

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return NAMED[ref] ?? whole;
  });
}
