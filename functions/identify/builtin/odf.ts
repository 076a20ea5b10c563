import type { BuiltinFormat } from "./shape.ts";

const KINDS = [
  ["text", "Text", ["odt", "ott"]],
  ["spreadsheet", "Spreadsheet", ["ods", "ots"]],
  ["presentation", "Presentation", ["odp", "otp"]],
] as const;

/** PUIDs of ODF 1.0, 1.1, 1.2, 1.3 per kind, with PRONOM's priorities (newer over older). */
const PUIDS: Record<string, [string, string, string, string]> = {
  text: ["fmt/136", "fmt/290", "fmt/291", "fmt/1756"],
  spreadsheet: ["fmt/137", "fmt/294", "fmt/295", "fmt/1755"],
  presentation: ["fmt/138", "fmt/292", "fmt/293", "fmt/1754"],
};

export const ODF: BuiltinFormat[] = KINDS.flatMap(([kind, label, extensions]) => {
  const [v10, v11, v12, v13] = PUIDS[kind]!;
  return [
    { puid: v10, version: "1.0", over: [v11] },
    { puid: v11, version: "1.1", over: ["x-fmt/263"] },
    { puid: v12, version: "1.2", over: ["x-fmt/263", v11] },
    { puid: v13, version: "1.3", over: [v11] },
  ].map(({ puid, version, over }) => ({
    puid,
    name: `OpenDocument ${label}`,
    version,
    mime: `application/vnd.oasis.opendocument.${kind}`,
    extensions: [...extensions],
    signatures: [],
    priorityOver: over,
  }));
});
