// One unit: its header and AIP, decisions, its failed tasks first, then tabs for the job tree
// (with the selected task's output beside it), the timeline, files and PREMIS events.
import { api, withToken } from "./api.js";
import { decisionsPanel } from "./decisions.js";
import { badge, bytes, clear, h, pager, progressBar, when } from "./dom.js";
import { eventsTable, filesTable } from "./tables.js";
import { renderOutput, renderTimeline, renderTree } from "./tree.js";

const TABS = ["Jobs", "Timeline", "Files", "Events"];

export function unitView(main, unitId, session) {
  const operator = session.roles.includes("operator");
  const state = {
    tab: "Jobs",
    expanded: new Map(),
    collapsed: new Set(),
    selected: null,
    failedFirst: false,
    filesOffset: 0,
    eventsOffset: 0,
  };
  const header = h("div");
  const failed = h("div");
  const tabs = h("div", { class: "tabs" });
  const body = h("div");
  const output = h("div", { class: "panel output", id: "output" });
  clear(main, h("a", { href: "#/" }, "‹ All units"), header, failed, tabs, body);
  let data = null;

  const select = (taskId) => {
    state.selected = taskId;
    renderOutput(output, taskId).catch((e) => clear(output, e.message));
  };

  async function fetchAll() {
    const detail = await api(`/api/units/${unitId}`);
    const units = [detail.unit, ...detail.children];
    const jobsByUnit = new Map();
    const failedTasks = [];
    await Promise.all(
      units.map(async (u) => {
        jobsByUnit.set(u.id, (await api(`/api/units/${u.id}/jobs`)).microservices);
        for (const t of (await api(`/api/units/${u.id}/failed-tasks`)).tasks)
          failedTasks.push({ ...t, unit: u });
      }),
    );
    return { detail, units, jobsByUnit, failedTasks };
  }

  function renderTabs() {
    clear(
      tabs,
      TABS.map((t) =>
        h(
          "button",
          {
            class: t === state.tab ? "active" : "",
            onclick: () => {
              state.tab = t;
              renderTabs();
              renderBody().catch((e) => clear(body, e.message));
            },
          },
          t,
        ),
      ),
    );
  }

  async function renderBody() {
    if (!data) return;
    if (state.tab === "Jobs") {
      const toggle = h(
        "label",
        { class: "small" },
        h("input", {
          type: "checkbox",
          id: "failed-first",
          checked: state.failedFirst,
          onchange: (e) => {
            state.failedFirst = e.target.checked;
            renderBody();
          },
        }),
        " failed first",
      );
      clear(
        body,
        h("div", { class: "toolbar" }, toggle),
        h(
          "div",
          { class: "split" },
          h("div", { class: "panel" }, renderTree(data.units, data.jobsByUnit, state, select)),
          output,
        ),
      );
      if (!output.firstChild || state.selected) select(state.selected);
    } else if (state.tab === "Timeline") {
      clear(body, h("div", { class: "panel" }, renderTimeline(data.units, data.jobsByUnit)));
    } else if (state.tab === "Files") {
      const page = await api(`/api/units/${unitId}/files?limit=100&offset=${state.filesOffset}`);
      clear(
        body,
        h(
          "div",
          { class: "panel" },
          filesTable(page.files),
          pager(page, (o) => {
            state.filesOffset = o;
            renderBody();
          }),
        ),
      );
    } else {
      const page = await api(`/api/units/${unitId}/events?limit=100&offset=${state.eventsOffset}`);
      clear(
        body,
        h(
          "div",
          { class: "panel" },
          eventsTable(page.events),
          pager(page, (o) => {
            state.eventsOffset = o;
            renderBody();
          }),
        ),
      );
    }
  }

  const view = {
    async refresh() {
      data = await fetchAll();
      renderHeader(header, data.detail, operator, () => view.refresh());
      clear(failed, data.failedTasks.length ? failedPanel(data.failedTasks, select) : null);
      renderTabs();
      await renderBody();
    },
  };
  return view;
}

function renderHeader(el, detail, operator, refresh) {
  const u = detail.unit;
  const link = (x, label) =>
    h("a", { href: `#/units/${x.id}` }, `${label} ${x.name}`, " ", badge(x.displayStatus));
  clear(
    el,
    h(
      "h1",
      {},
      h("span", { id: "unit-name" }, u.name),
      badge(u.displayStatus),
      h("span", { class: "grow" }),
      progressBar(u.progress?.fraction, u.status),
    ),
    h(
      "div",
      { class: "panel" },
      h(
        "dl",
        { class: "meta" },
        h("dt", {}, "id"),
        h("dd", { class: "mono" }, u.id),
        h("dt", {}, "type"),
        h("dd", {}, u.type === "sip" ? "SIP" : "transfer"),
        h("dt", {}, "source"),
        h("dd", { class: "mono small" }, u.source),
        h("dt", {}, "started"),
        h("dd", {}, when(u.createdAt)),
        u.reason ? [h("dt", {}, "reason"), h("dd", { class: "reason" }, u.reason)] : null,
        detail.parent ? [h("dt", {}, "from"), h("dd", {}, link(detail.parent, "transfer"))] : null,
        detail.children.length
          ? [
              h("dt", {}, "made"),
              h(
                "dd",
                {},
                detail.children.map((c) => link(c, "SIP")),
              ),
            ]
          : null,
        detail.aip ? [h("dt", {}, "AIP"), h("dd", {}, aipLine(detail))] : null,
        virusCheckLine(detail.virusChecks),
      ),
    ),
    detail.decisions.length ? decisionsPanel(detail.decisions, operator, refresh) : null,
  );
}

// A scan with the test signatures only is not a virus check: say so where the operator looks first.
function virusCheckLine(checks) {
  if (!checks || checks.files === 0) return null;
  const text = checks.performedWithRealSignatures
    ? `${checks.files} file(s) checked with the official signatures`
    : `not performed with real signatures for ${checks.testSignaturesOnly} of ${checks.files} file(s): only the test signatures were loaded`;
  return [
    h("dt", {}, "virus checks"),
    h("dd", { id: "virus-checks", class: checks.performedWithRealSignatures ? "" : "reason" }, text),
  ];
}

function aipLine(detail) {
  const aip = detail.aip;
  const download = h(
    "button",
    {
      onclick: async () => {
        const link = await api(`/api/units/${aip.unitId}/aip`);
        if (link.download.kind === "unavailable") return alert(link.download.reason);
        location.assign(link.download.kind === "file" ? withToken(link.download.url) : link.download.url);
      },
    },
    "Download",
  );
  return [
    h("span", { class: "mono small" }, aip.location),
    ` · ${bytes(aip.size)} `,
    aip.verifiedAt
      ? h("span", { class: "badge s-completed" }, "fixity verified")
      : h("span", { class: "badge s-failed" }, "not verified"),
    " ",
    auditBadge(aip.lastAudit),
    " ",
    download,
  ];
}

/** The last scheduled / `stepmatica audit` fixity check of the stored AIP. */
function auditBadge(audit) {
  if (!audit) return h("span", { class: "badge" }, "never audited");
  const ok = audit.outcome === "success";
  return h(
    "span",
    { class: `badge ${ok ? "s-completed" : "s-failed"}`, title: audit.detail },
    `last audit ${new Date(audit.at).toLocaleString()}: ${ok ? "intact" : "MISMATCH"}`,
  );
}

function failedPanel(tasks, select) {
  return h(
    "div",
    { class: "panel failedlist", id: "failed-tasks" },
    h("h2", {}, `Failed tasks (${tasks.length})`),
    tasks.map((t) =>
      h(
        "div",
        { class: "item", "data-task": t.id },
        h(
          "div",
          {},
          h("strong", {}, t.job.description),
          h("span", { class: "muted" }, ` · ${t.job.microservice} · `),
          h("span", { class: "mono" }, `${t.command} → exit ${t.exitCode}`),
          " ",
          h("button", { class: "small", onclick: () => select(t.id) }, "Details"),
        ),
        h("pre", { class: "stderr" }, t.stderr || t.stdout || "(no output)"),
      ),
    ),
  );
}
