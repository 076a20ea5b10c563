// The page's entry: sign in, then route on the address's hash (#/ the list, #/units/ID a unit)
// and re-render the current view whenever the store changes.
import { ApiFailure, api, initAuth, watchChanges } from "./api.js";
import { clear, h } from "./dom.js";
import { listView } from "./list.js";
import { unitView } from "./unit.js";

const main = document.getElementById("main");
const notice = document.getElementById("notice");
let current = null;
let session = null;

export function showError(error) {
  notice.hidden = false;
  clear(
    notice,
    error instanceof ApiFailure && error.status === 401
      ? "Not signed in: open the address `stepmatica serve` printed (it carries ?token=…)."
      : `Error: ${error.message}`,
  );
}

function route() {
  notice.hidden = true;
  current?.dispose?.();
  const match = /^#\/units\/([0-9a-f-]{36})/.exec(location.hash);
  current = match ? unitView(main, match[1], session) : listView(main, session);
  current.refresh().catch(showError);
}

let pending = null;
function refreshSoon() {
  // Many changes a second during a big job: re-render at most every 1.5 s.
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    current?.refresh().catch(showError);
  }, 1500);
}

async function start() {
  await initAuth();
  try {
    session = await api("/api/me");
  } catch (error) {
    clear(main, h("p", { class: "muted" }, "The dashboard needs a token."));
    return showError(error);
  }
  document.getElementById("who").textContent = `${session.subject} · ${session.roles.join(", ")}`;
  window.addEventListener("hashchange", route);
  route();
  const live = document.getElementById("live");
  watchChanges(refreshSoon, (on) => live.classList.toggle("on", on));
}

start().catch(showError);
