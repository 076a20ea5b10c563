// The unit's files (identification, checksums) and PREMIS events, one page at a time.
import { bytes, h, when } from "./dom.js";

export function filesTable(files) {
  if (files.length === 0) return h("p", { class: "muted" }, "No files recorded.");
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Path", "Size", "Group", "PUID", "Format", "MIME", "SHA-256"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      files.map((f) =>
        h(
          "tr",
          {},
          h("td", { class: "mono small" }, f.path),
          h("td", { class: "num small" }, bytes(f.size)),
          h("td", { class: "small" }, f.group),
          h("td", { class: "mono small" }, f.puid ?? "–"),
          h("td", { class: "small" }, [f.formatName, f.formatVersion].filter(Boolean).join(" ") || "–"),
          h("td", { class: "small" }, f.mime ?? "–"),
          h(
            "td",
            { class: "mono small", title: f.sha256 ?? "" },
            f.sha256 ? `${f.sha256.slice(0, 16)}…` : "–",
          ),
        ),
      ),
    ),
  );
}

export function eventsTable(events) {
  if (events.length === 0) return h("p", { class: "muted" }, "No PREMIS events recorded.");
  return h(
    "table",
    {},
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Date", "Type", "Outcome", "Detail", "File"].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      events.map((e) =>
        h(
          "tr",
          {},
          h("td", { class: "small" }, when(e.dateTime)),
          h("td", {}, e.type),
          h(
            "td",
            {},
            h(
              "span",
              {
                class: `badge s-${e.outcome === "success" ? "completed" : e.outcome === "failure" ? "failed" : "awaiting-decision"}`,
              },
              e.outcome,
            ),
          ),
          h(
            "td",
            { class: "small" },
            e.detail,
            e.outcomeDetail ? h("div", { class: "muted" }, e.outcomeDetail) : null,
          ),
          h("td", { class: "mono small" }, e.fileId ? e.fileId.slice(0, 8) : "unit"),
        ),
      ),
    ),
  );
}
