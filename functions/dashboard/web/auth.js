// AWS sign-in: when the deployment publishes config.json with an "auth" block, the page signs in
// through the Cognito hosted UI (authorization code + PKCE) and sends the ID token to the API.
// Locally there is no config.json and the serve token is used instead.

export async function loadConfig() {
  try {
    const response = await fetch("config.json", { cache: "no-cache" });
    return response.ok ? await response.json() : {};
  } catch {
    return {};
  }
}

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** auth: {domain: "https://x.auth.region.amazoncognito.com", clientId, redirectUri?, identityProvider?} */
export async function cognitoToken(auth) {
  const saved = JSON.parse(sessionStorage.getItem("stepmatica.idToken") ?? "null");
  if (saved && saved.expiresAt > Date.now() + 60_000) return saved.token;
  const redirectUri = auth.redirectUri ?? `${location.origin}${location.pathname}`;
  const url = new URL(location.href);
  const code = url.searchParams.get("code");
  const verifier = sessionStorage.getItem("stepmatica.pkce");
  if (code && verifier) {
    const response = await fetch(`${auth.domain}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: auth.clientId,
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });
    sessionStorage.removeItem("stepmatica.pkce");
    history.replaceState(null, "", url.pathname + url.hash);
    if (response.ok) {
      const tokens = await response.json();
      sessionStorage.setItem(
        "stepmatica.idToken",
        JSON.stringify({ token: tokens.id_token, expiresAt: Date.now() + tokens.expires_in * 1000 }),
      );
      return tokens.id_token;
    }
  }
  const fresh = b64url(crypto.getRandomValues(new Uint8Array(32)));
  sessionStorage.setItem("stepmatica.pkce", fresh);
  const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(fresh)));
  const login = new URL(`${auth.domain}/oauth2/authorize`);
  login.search = new URLSearchParams({
    response_type: "code",
    client_id: auth.clientId,
    redirect_uri: redirectUri,
    scope: "openid email profile",
    code_challenge_method: "S256",
    code_challenge: challenge,
    // The archive's identity provider is the only sign-in: skip Cognito's chooser page.
    ...(auth.identityProvider ? { identity_provider: auth.identityProvider } : {}),
  }).toString();
  location.assign(login.href);
  return new Promise(() => {});
}
