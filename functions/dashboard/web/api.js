// Talking to the API: the local token (from ?token=, kept in sessionStorage and removed from the
// address bar) or, on AWS, a Cognito ID token; live updates by server-sent events, else polling.
import { cognitoToken, loadConfig } from "./auth.js";

let token = null;
let apiBase = "";
let config = {};

export async function initAuth() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    sessionStorage.setItem("stepmatica.token", fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  config = await loadConfig();
  apiBase = config.apiBase ?? "";
  token = config.auth ? await cognitoToken(config.auth) : sessionStorage.getItem("stepmatica.token");
  return token;
}

export class ApiFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function authHeaders() {
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** GET or POST JSON; revalidates with the ETag the browser kept (no-cache), so unchanged data is a 304. */
export async function api(path, { method = "GET", body } = {}) {
  const response = await fetch(apiBase + path, {
    method,
    cache: "no-cache",
    headers: { ...authHeaders(), ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok)
    throw new ApiFailure(response.status, data?.error ?? `${response.status} ${response.statusText}`);
  return data;
}

/** A link for downloads and event streams, which cannot send headers: the local token rides in the query. */
export function withToken(path) {
  if (!token || config.auth) return apiBase + path;
  return `${apiBase}${path}${path.includes("?") ? "&" : "?"}token=${encodeURIComponent(token)}`;
}

/** Calls onChange whenever the store changed: SSE where the server streams, else polling /api/version. */
export function watchChanges(onChange, setLive) {
  let last = null;
  const changed = (version) => {
    if (last !== null && version !== last) onChange();
    last = version;
  };
  const poll = () => {
    setLive(false);
    const tick = async () => {
      try {
        changed((await api("/api/version")).version);
        setLive(true);
      } catch {
        setLive(false);
      }
    };
    setInterval(tick, 4000);
    tick();
  };
  if (config.auth || typeof EventSource === "undefined") return poll();
  const source = new EventSource(withToken("/api/stream"));
  let opened = false;
  source.addEventListener("open", () => {
    opened = true;
    setLive(true);
  });
  source.addEventListener("change", (e) => changed(JSON.parse(e.data).version));
  source.addEventListener("error", () => {
    setLive(false);
    if (!opened) {
      source.close();
      poll();
    }
  });
}
