// The transfers table: server-side paging (50 a page), search by name, filter by status, progress
// bars; operators start transfers, and hide finished units from the list.
import { api } from "./api.js";
import { decisionsPanel } from "./decisions.js";
import { badge, clear, h, pager, progressBar, when } from "./dom.js";

const STATUSES = ["", "queued", "running", "awaiting-decision", "completed", "failed", "rejected"];
const state = { offset: 0, limit: 50, search: "", status: "", includeHidden: false };

export function listView(main, session) {
  const operator = session.roles.includes("operator");
  const table = h("div", { class: "panel", id: "units" });
  const decisions = h("div");
  const search = h("input", {
    type: "search",
    placeholder: "Search by name",
    value: state.search,
    "aria-label": "search",
  });
  let timer = null;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.search = search.value;
      state.offset = 0;
      view.refresh();
    }, 250);
  });
  const status = h(
    "select",
    {
      "aria-label": "status",
      onchange: (e) => {
        state.status = e.target.value;
        state.offset = 0;
        view.refresh();
      },
    },
    STATUSES.map((s) => h("option", { value: s, selected: s === state.status }, s || "any status")),
  );
  const hidden = h(
    "label",
    { class: "small" },
    h("input", {
      type: "checkbox",
      checked: state.includeHidden,
      onchange: (e) => {
        state.includeHidden = e.target.checked;
        view.refresh();
      },
    }),
    " show hidden",
  );
  const clearOld =
    operator &&
    h(
      "button",
      {
        title: "Hide completed, failed and rejected units from this list (records and AIPs stay)",
        onclick: async () => {
          if (!confirm("Hide every completed, failed or rejected unit from the list?")) return;
          await api("/api/units/clear", { method: "POST", body: {} });
          view.refresh();
        },
      },
      "Clear finished",
    );

  clear(
    main,
    operator ? startForm(session, () => view.refresh()) : null,
    decisions,
    h("div", { class: "toolbar" }, search, status, hidden, h("span", { class: "grow" }), clearOld),
    table,
  );

  const view = {
    async refresh() {
      const q = new URLSearchParams({ limit: state.limit, offset: state.offset });
      if (state.search) q.set("search", state.search);
      if (state.status) q.set("status", state.status);
      if (state.includeHidden) q.set("includeHidden", "true");
      const [page, pending] = await Promise.all([api(`/api/units?${q}`), api("/api/decisions")]);
      clear(
        decisions,
        pending.decisions.length ? decisionsPanel(pending.decisions, operator, () => view.refresh()) : null,
      );
      clear(
        table,
        unitsTable(page.units, operator, () => view.refresh()),
        pager(page, (offset) => {
          state.offset = offset;
          view.refresh();
        }),
      );
    },
  };
  return view;
}

function unitsTable(units, operator, refresh) {
  if (units.length === 0) return h("p", { class: "muted" }, "No units yet.");
  return h(
    "table",
    { class: "units" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ["Name", "Type", "Status", "Progress", "Current job", "Started", ""].map((t) => h("th", {}, t)),
      ),
    ),
    h(
      "tbody",
      {},
      units.map((u) =>
        h(
          "tr",
          { "data-id": u.id },
          h(
            "td",
            {},
            h("a", { href: `#/units/${u.id}` }, u.name),
            u.hidden ? h("span", { class: "muted small" }, " (hidden)") : null,
          ),
          h("td", { class: "small" }, u.type === "sip" ? "SIP" : "transfer"),
          h("td", {}, badge(u.displayStatus)),
          h(
            "td",
            {},
            progressBar(u.progress?.fraction, u.status),
            h("div", { class: "small muted" }, progressText(u)),
          ),
          h(
            "td",
            { class: "small" },
            u.progress?.currentJob ?? (u.reason ? h("span", { class: "muted" }, u.reason.slice(0, 120)) : ""),
          ),
          h("td", { class: "small" }, when(u.createdAt)),
          h(
            "td",
            {},
            operator && !u.hidden && ["completed", "failed", "rejected"].includes(u.status)
              ? h(
                  "button",
                  {
                    class: "small",
                    onclick: async () => {
                      await api(`/api/units/${u.id}/hide`, { method: "POST", body: { hidden: true } });
                      refresh();
                    },
                  },
                  "Hide",
                )
              : null,
          ),
        ),
      ),
    ),
  );
}

function progressText(u) {
  if (!u.progress) return "";
  const { jobsDone, jobsExpected, tasks, tasksDone } = u.progress;
  // Decisions skip jobs, so a finished unit shows what ran, a running one how far it is.
  if (u.status !== "running") return `${jobsDone} job${jobsDone === 1 ? "" : "s"} done`;
  return `${jobsDone} / ${jobsExpected} jobs${tasks > 1 ? ` · ${tasksDone} / ${tasks} tasks` : ""}`;
}

function startForm(session, refresh) {
  const message = h("span", { class: "small muted" });
  if (session.transferIntake === "upload") {
    const file = h("input", { type: "file", "aria-label": "transfer package" });
    return h(
      "div",
      { class: "panel toolbar" },
      h("strong", {}, "New transfer"),
      file,
      h(
        "button",
        {
          class: "primary",
          onclick: async () => {
            const chosen = file.files?.[0];
            if (!chosen) return;
            message.textContent = "Uploading…";
            const upload = await api("/api/transfers/uploads", {
              method: "POST",
              body: { filename: chosen.name },
            });
            const put = await fetch(upload.url, { method: "PUT", body: chosen });
            message.textContent = put.ok
              ? `Uploaded to ${upload.key}: the transfer starts in a moment.`
              : `Upload failed: ${put.status}`;
          },
        },
        "Upload and start",
      ),
      message,
    );
  }
  const path = h("input", {
    type: "text",
    class: "path",
    name: "path",
    placeholder: "/path/to/folder-or-package.zip",
    "aria-label": "transfer path",
  });
  const preset = h(
    "select",
    { "aria-label": "processing configuration" },
    h("option", { value: "default" }, "default"),
    h("option", { value: "automated" }, "automated"),
  );
  const form = h(
    "form",
    { class: "panel toolbar", id: "start-transfer" },
    h("strong", {}, "New transfer"),
    path,
    preset,
    h("button", { class: "primary", type: "submit" }, "Start"),
    message,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const started = await api("/api/transfers", {
        method: "POST",
        body: { path: path.value.trim(), preset: preset.value },
      });
      message.textContent = `Started ${started.id}`;
      path.value = "";
      refresh();
    } catch (error) {
      message.textContent = error.message;
    }
  });
  return form;
}
