// Building the page from data: every value becomes a text node, never markup, so a task's
// stdout holding "<script>" is shown as those characters (no innerHTML anywhere in this page).

/** h("td", {class: "num", onclick: fn}, "text", childNode, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "value") el.value = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function badge(status) {
  return h("span", { class: `badge s-${status}` }, status);
}

export function progressBar(fraction, status) {
  const pct = Math.round((fraction ?? 0) * 100);
  return h(
    "div",
    { class: `bar ${status}`, title: `${pct}%`, role: "progressbar", "aria-valuenow": pct },
    h("span", { style: { width: `${pct}%` } }),
  );
}

export function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "–";
}

export function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** Prev / next buttons and "1–50 of 1,000" for a paged list. */
export function pager(page, onGo) {
  const { offset, limit, total } = page;
  const last = Math.min(offset + limit, total);
  return h(
    "div",
    { class: "pager small" },
    h(
      "span",
      { class: "muted" },
      total === 0 ? "none" : `${offset + 1}–${last} of ${total.toLocaleString()}`,
    ),
    h("button", { disabled: offset === 0, onclick: () => onGo(Math.max(0, offset - limit)) }, "‹ Prev"),
    h("button", { disabled: last >= total, onclick: () => onGo(offset + limit) }, "Next ›"),
  );
}
