/** Options for {@link completeAuthorization}. */
export interface CompleteAuthorizationOptions {
  /** Email or subject of the user to sign in as; default the first account the login page lists. */
  user?: string;
  /** Password; default the one the login page lists for that user. */
  password?: string;
  /** Approve (default) or deny on the consent page. */
  approve?: boolean;
  fetch?: typeof fetch;
}

const MAX_STEPS = 20;

/**
 * Drives the test IdP's login and consent pages over plain HTTP (a cookie jar per call) from an
 * authorization URL to the final redirect to the client's `redirect_uri`, which it returns
 * WITHOUT fetching: it carries `code`, `state` and `iss`, or `error=access_denied`.
 */
export async function completeAuthorization(
  authorizationUrl: string | URL,
  options: CompleteAuthorizationOptions = {},
): Promise<URL> {
  const doFetch = options.fetch ?? fetch;
  const start = new URL(authorizationUrl);
  const redirectUri = start.searchParams.get("redirect_uri");
  const idpOrigin = start.origin;
  const cookies = new Map<string, string>();
  const approve = options.approve ?? true;

  let next: { url: URL; method: "GET" | "POST"; body?: URLSearchParams } = { url: start, method: "GET" };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const response = await doFetch(next.url, {
      method: next.method,
      redirect: "manual",
      headers: {
        accept: "text/html",
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
        ...(next.body ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(next.body ? { body: next.body.toString() } : {}),
    });
    storeCookies(cookies, response.headers);

    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, next.url);
      if (isClientRedirect(target, redirectUri, idpOrigin)) {
        await response.body?.cancel();
        return target;
      }
      await response.body?.cancel();
      next = { url: target, method: "GET" };
      continue;
    }

    const html = await response.text();
    if (response.status !== 200) {
      throw new Error(`test IdP answered ${response.status} at ${next.url.pathname}: ${summarize(html)}`);
    }
    const form = parseForm(html, next.url);
    if (!form) throw new Error(`test IdP page at ${next.url.pathname} has no form: ${summarize(html)}`);
    if (form.fields.get("prompt") === "login") {
      const account = pickAccount(html, options.user);
      const body = new URLSearchParams([...form.fields]);
      body.set("email", account.email);
      body.set("password", options.password ?? account.password);
      next = { url: form.action, method: "POST", body };
    } else if (form.fields.get("prompt") === "consent") {
      const body = new URLSearchParams([...form.fields]);
      body.set("decision", approve ? "approve" : "deny");
      next = { url: form.action, method: "POST", body };
    } else {
      throw new Error(`test IdP page at ${next.url.pathname} has an unknown form`);
    }
  }
  throw new Error(`authorization did not reach the redirect_uri within ${MAX_STEPS} steps`);
}

function isClientRedirect(target: URL, redirectUri: string | null, idpOrigin: string): boolean {
  if (redirectUri) {
    const expected = new URL(redirectUri);
    return target.origin === expected.origin && target.pathname === expected.pathname;
  }
  return target.origin !== idpOrigin;
}

function storeCookies(jar: Map<string, string>, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(";");
    const eq = pair?.indexOf("=") ?? -1;
    if (!pair || eq < 1) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((attribute) => {
      const [key, v] = attribute.trim().split("=");
      if (key?.toLowerCase() === "max-age") return Number(v) <= 0;
      if (key?.toLowerCase() === "expires") return Date.parse(v ?? "") <= Date.now();
      return false;
    });
    if (expired || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

function decodeEntities(value: string): string {
  return value
    .replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, "i").exec(tag);
  return match ? decodeEntities(match[1]!) : undefined;
}

function parseForm(html: string, base: URL): { action: URL; fields: Map<string, string> } | undefined {
  const formTag = /<form\b[^>]*>/i.exec(html)?.[0];
  if (!formTag) return undefined;
  const action = new URL(attribute(formTag, "action") ?? base.href, base);
  const fields = new Map<string, string>();
  for (const input of html.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, "name");
    if (name && attribute(input, "type") === "hidden") fields.set(name, attribute(input, "value") ?? "");
  }
  return { action, fields };
}

function pickAccount(html: string, ref: string | undefined): { email: string; password: string } {
  const accounts: Array<{ subject: string; email: string; password: string }> = [];
  for (const row of html.match(/<tr class="test-user"[^>]*>/gi) ?? []) {
    accounts.push({
      subject: attribute(row, "data-subject") ?? "",
      email: attribute(row, "data-email") ?? "",
      password: attribute(row, "data-password") ?? "",
    });
  }
  if (ref === undefined) {
    const first = accounts[0];
    if (!first) throw new Error("test IdP login page lists no accounts");
    return first;
  }
  const lower = ref.toLowerCase();
  const found = accounts.find((account) => account.subject === ref || account.email.toLowerCase() === lower);
  if (!found) throw new Error(`test IdP has no user ${ref}`);
  return found;
}

function summarize(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/gi, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 300);
}
