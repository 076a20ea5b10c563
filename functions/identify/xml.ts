/** A small, strict-enough XML reader for signature files (no DTDs, no namespaces beyond prefixes). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (!raw.includes("&")) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith("#x")) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith("#")) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

function isBlank(source: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const code = source.charCodeAt(i);
    if (code !== 32 && code !== 10 && code !== 13 && code !== 9) return false;
  }
  return true;
}

function localName(qualified: string): string {
  const colon = qualified.indexOf(":");
  return colon < 0 ? qualified : qualified.slice(colon + 1);
}

/** One attribute, matched in place (sticky) from the end of the element's name. */
const ATTRIBUTE = /\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/y;

/** Where an element's name ends: at white space, "/" or ">". */
function nameEnd(source: string, from: number): number {
  let i = from;
  for (;;) {
    const code = source.charCodeAt(i);
    if (
      code === 32 ||
      code === 10 ||
      code === 13 ||
      code === 9 ||
      code === 47 ||
      code === 62 ||
      i >= source.length
    )
      return i;
    i++;
  }
}

/**
 * Parses a document and returns its root element; throws with the offset on malformed input.
 * Elements named in `skip` are left out with their content (the DROID file's search-shift tables
 * are half of its elements and nothing here reads them).
 */
export function parseXml(source: string, skip: ReadonlySet<string> = new Set()): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let pos = 0;
  while (pos < source.length) {
    const lt = source.indexOf("<", pos);
    const textEnd = lt < 0 ? source.length : lt;
    // Whitespace between elements (indentation) is dropped: every reader trims text anyway.
    if (textEnd > pos && stack.length > 0 && !isBlank(source, pos, textEnd))
      stack[stack.length - 1]!.text += decodeEntities(source.slice(pos, textEnd));
    if (lt < 0) break;
    const next = source.charCodeAt(lt + 1);
    if (next === 33 /* ! */ || next === 63 /* ? */) {
      if (source.startsWith("<!--", lt)) {
        pos = requireIndex(source, "-->", lt) + 3;
      } else if (source.startsWith("<![CDATA[", lt)) {
        const end = requireIndex(source, "]]>", lt);
        if (stack.length > 0) stack[stack.length - 1]!.text += source.slice(lt + 9, end);
        pos = end + 3;
      } else {
        pos = requireIndex(source, ">", lt) + 1;
      }
    } else if (next === 47 /* / */) {
      const end = requireIndex(source, ">", lt);
      const name = localName(source.slice(lt + 2, end).trim());
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`XML: unexpected </${name}> at offset ${lt}`);
      pos = end + 1;
    } else {
      const end = requireIndex(source, ">", lt);
      const selfClosing = source.charCodeAt(end - 1) === 47;
      const qualifiedEnd = nameEnd(source, lt + 1);
      const qualified = source.slice(lt + 1, qualifiedEnd);
      const name = localName(qualified);
      if (skip.has(name)) {
        pos = selfClosing ? end + 1 : requireIndex(source, `</${qualified}>`, end) + qualified.length + 3;
        continue;
      }
      const element: XmlElement = { name, attrs: {}, children: [], text: "" };
      ATTRIBUTE.lastIndex = qualifiedEnd;
      for (let match = ATTRIBUTE.exec(source); match && match.index < end; match = ATTRIBUTE.exec(source)) {
        element.attrs[localName(match[1]!)] = decodeEntities(match[2] ?? match[3] ?? "");
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else if (root === null) root = element;
      else throw new Error(`XML: second root element <${element.name}> at offset ${lt}`);
      if (!selfClosing) stack.push(element);
      pos = end + 1;
    }
  }
  if (root === null) throw new Error("XML: no root element");
  if (stack.length > 0) throw new Error(`XML: <${stack[stack.length - 1]!.name}> is not closed`);
  return root;
}

function requireIndex(source: string, token: string, from: number): number {
  const index = source.indexOf(token, from);
  if (index < 0) throw new Error(`XML: unterminated markup at offset ${from}`);
  return index;
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function firstChild(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((child) => child.name === name);
}
