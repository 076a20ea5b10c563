// The microservice → job → task tree. Jobs start collapsed with their task counts; opening one
// loads its tasks a page (100) at a time, failed first, so a 10,000-task job costs one page.
import { api } from "./api.js";
import { clear, duration, h, pager } from "./dom.js";

const PAGE = 100;

/** state: {expanded: Map(jobId → task page offset), collapsed: Set(microservice key), selected, failedFirst} */
export function renderTree(units, jobsByUnit, state, onSelect) {
  return h(
    "div",
    { class: "tree" },
    units.map((unit) => {
      let groups = jobsByUnit.get(unit.id) ?? [];
      if (state.failedFirst) groups = failedFirst(groups);
      return h(
        "section",
        { class: "unit-tree", "data-unit": unit.id },
        h("h2", {}, `${unit.type === "sip" ? "SIP" : "Transfer"} ${unit.name}`),
        groups.length === 0 ? h("p", { class: "muted small" }, "No jobs yet.") : null,
        groups.map((group, i) => {
          const key = `${unit.id}:${i}:${group.microservice}`;
          const ms = h(
            "details",
            { class: "ms", open: !state.collapsed.has(key) },
            h(
              "summary",
              {},
              h("span", { class: `dot ${groupStatus(group)}` }),
              group.microservice,
              h(
                "span",
                { class: "muted small" },
                `${group.jobs.length} job${group.jobs.length === 1 ? "" : "s"}`,
              ),
            ),
            group.jobs.map((job) => jobNode(job, state, onSelect)),
          );
          ms.addEventListener("toggle", () =>
            ms.open ? state.collapsed.delete(key) : state.collapsed.add(key),
          );
          return ms;
        }),
      );
    }),
  );
}

function failedFirst(groups) {
  const failed = (g) => g.jobs.some((j) => j.status === "failed" || j.tasksFailed > 0);
  return [...groups.filter(failed), ...groups.filter((g) => !failed(g))].map((g) => ({
    ...g,
    jobs: [...g.jobs].sort((a, b) => (b.tasksFailed > 0) - (a.tasksFailed > 0)),
  }));
}

/** CPU seconds and peak memory (the worker's process tree, tools included), as recorded. */
function resources(r) {
  if (r.cpuS === null || r.cpuS === undefined) return "–";
  return `${r.cpuS.toFixed(2)} s CPU · ${Math.round(r.peakRssMb ?? 0)} MB`;
}

function groupStatus(group) {
  if (group.jobs.some((j) => j.status === "failed")) return "failed";
  if (group.jobs.some((j) => j.status === "running")) return "running";
  return "completed";
}

function jobNode(job, state, onSelect) {
  const tasks = h("div", { class: "tasks" });
  const counts = `${job.tasksDone}/${job.taskCount} task${job.taskCount === 1 ? "" : "s"}${job.tasksFailed ? `, ${job.tasksFailed} failed` : ""}`;
  const node = h(
    "details",
    { class: `job ${job.status}`, "data-job": job.id, open: state.expanded.has(job.id) },
    h(
      "summary",
      {},
      h("span", { class: "dot " + job.status }),
      h("span", { class: "grow" }, job.description),
      h("span", { class: "small muted" }, counts),
      h("span", { class: "small mono" }, `exit ${job.exitCode ?? "–"}`),
      h("span", { class: "small muted" }, duration(job.durationMs)),
      h("span", { class: "small muted", "data-resources": "" }, resources(job)),
    ),
    tasks,
  );
  const load = async (offset) => {
    const page = await api(`/api/jobs/${job.id}/tasks?limit=${PAGE}&offset=${offset}`);
    if (!node.open) return; // closed while the page was on its way
    state.expanded.set(job.id, offset);
    renderTasks(tasks, page, state, onSelect, load);
  };
  node.addEventListener("toggle", () => {
    if (node.open) load(state.expanded.get(job.id) ?? 0);
    else {
      state.expanded.delete(job.id);
      tasks.replaceChildren();
    }
  });
  return node;
}

function renderTasks(container, page, state, onSelect, goTo) {
  clear(
    container,
    page.tasks.map((t) => {
      const row = h(
        "div",
        {
          class: `task ${t.exitCode ? "failed" : ""} ${state.selected === t.id ? "selected" : ""}`,
          "data-task": t.id,
          role: "button",
          tabindex: "0",
          onclick: () => {
            for (const el of document.querySelectorAll(".task.selected")) el.classList.remove("selected");
            row.classList.add("selected");
            onSelect(t.id);
          },
        },
        h("span", { class: "mono muted" }, `#${t.seq}`),
        h(
          "span",
          { class: "label mono" },
          [t.command, ...t.arguments].join(" "),
          t.files ? h("span", { class: "muted" }, ` · ${t.files} file${t.files === 1 ? "" : "s"}`) : null,
        ),
        h("span", { class: "mono" }, t.exitCode === null ? t.status : `exit ${t.exitCode}`),
        h("span", { class: "small muted" }, duration(t.durationMs)),
        h("span", { class: "small muted" }, t.attempt > 1 ? `attempt ${t.attempt}` : ""),
      );
      return row;
    }),
    // A page at a time keeps the DOM small however many tasks a job has.
    page.total > page.limit ? pager(page, goTo) : null,
  );
}

/** The selected task in full: command line, exit code, files, stdout and stderr as text. */
export async function renderOutput(panel, taskId) {
  if (!taskId) return clear(panel, h("p", { class: "muted" }, "Select a task to see its output."));
  const t = await api(`/api/tasks/${taskId}`);
  clear(
    panel,
    h("h2", {}, `Task #${t.seq}`),
    h(
      "dl",
      { class: "meta" },
      h("dt", {}, "command"),
      h("dd", { class: "mono" }, [t.command, ...t.arguments].join(" ")),
      h("dt", {}, "exit code"),
      h("dd", { class: "mono" }, t.exitCode ?? t.status),
      h("dt", {}, "started"),
      h("dd", {}, t.startedAt ? new Date(t.startedAt).toLocaleString() : "–"),
      h("dt", {}, "duration"),
      h("dd", {}, duration(t.durationMs)),
      h("dt", {}, "attempt"),
      h("dd", {}, t.attempt),
      h("dt", {}, "cost"),
      h("dd", { "data-resources": "" }, resources(t)),
      t.files.length
        ? [
            h("dt", {}, "files"),
            h(
              "dd",
              { class: "mono small" },
              t.files
                .slice(0, 20)
                .map((f) => f.path)
                .join("\n"),
              t.files.length > 20 ? ` … ${t.files.length - 20} more` : "",
            ),
          ]
        : null,
    ),
    h("div", { class: "small muted" }, "stdout"),
    h("pre", { class: "stdout", id: "task-stdout" }, t.stdout || "(empty)"),
    h("div", { class: "small muted" }, "stderr"),
    h("pre", { class: "stderr", id: "task-stderr" }, t.stderr || "(empty)"),
  );
}

/** Per-job durations as bars on one time axis (a Gantt chart of the unit and its SIP). */
export function renderTimeline(units, jobsByUnit) {
  const rows = units.flatMap((u) => (jobsByUnit.get(u.id) ?? []).flatMap((g) => g.jobs));
  if (rows.length === 0) return h("p", { class: "muted" }, "No jobs yet.");
  const now = Date.now();
  const start = Math.min(...rows.map((j) => Date.parse(j.startedAt)));
  const end = Math.max(...rows.map((j) => (j.endedAt ? Date.parse(j.endedAt) : now)));
  const span = Math.max(1, end - start);
  return h(
    "div",
    { class: "timeline" },
    h("div", { class: "small muted" }, `${rows.length} jobs over ${duration(end - start)}`),
    rows.map((j) => {
      const from = Date.parse(j.startedAt) - start;
      const to = (j.endedAt ? Date.parse(j.endedAt) : now) - start;
      return h(
        "div",
        { class: "row" },
        h("span", { class: "label", title: `${j.microservice}: ${j.description}` }, j.description),
        h(
          "div",
          { class: "lane" },
          h("span", {
            class: j.status,
            style: { left: `${(from / span) * 100}%`, width: `${((to - from) / span) * 100}%` },
          }),
        ),
        h("span", { class: "small muted" }, duration(j.durationMs)),
      );
    }),
  );
}
