import type { TestIdpProfile, TestUser } from "./types";

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

const TITLES: Record<TestIdpProfile, string> = {
  google: "Test Google",
  microsoft: "Test Microsoft",
  generic: "Test OIDC",
};

function page(profile: TestIdpProfile, heading: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(heading)} · ${TITLES[profile]} (local test IdP)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:2rem;color:#1d1d1f}
main{max-width:30rem;margin:0 auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.3rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}
button{margin-top:1rem;margin-right:.5rem;padding:.6rem 1.2rem;border-radius:4px;border:1px solid #888;cursor:pointer}
button.primary{background:#1a73e8;color:#fff;border-color:#1a73e8}
.banner{background:#fff4ce;padding:.4rem .6rem;border-radius:4px;font-size:.85rem}
table{border-collapse:collapse;font-size:.85rem;margin-top:1rem}td,th{border:1px solid #ddd;padding:.25rem .5rem}
ul{padding-left:1.2rem}
</style></head>
<body><main><p class="banner">Local test identity provider (${TITLES[profile]}). Not a real account.</p>
<h1>${escapeHtml(heading)}</h1>
${body}
</main></body></html>`;
}

/** The sign-in form: email + password, prefilled with the first user, plus the list of test accounts. */
export function loginPage(input: {
  profile: TestIdpProfile;
  action: string;
  clientId: string;
  users: readonly TestUser[];
  loginHint?: string;
  error?: string;
}): string {
  const hinted = input.users.find((u) => u.email === input.loginHint || u.subject === input.loginHint);
  const prefill = hinted ?? input.users[0];
  const rows = input.users
    .map(
      (user) =>
        `<tr class="test-user" data-subject="${escapeHtml(user.subject)}" data-email="${escapeHtml(user.email)}" data-password="${escapeHtml(user.password)}"><td>${escapeHtml(user.email)}</td><td>${escapeHtml(user.password)}</td><td>${escapeHtml(user.name)}</td></tr>`,
    )
    .join("\n");
  return page(
    input.profile,
    "Sign in",
    `<p>to continue to <strong>${escapeHtml(input.clientId)}</strong></p>
${input.error ? `<p role="alert" id="idp-error" style="color:#b00020">${escapeHtml(input.error)}</p>` : ""}
<form method="post" action="${escapeHtml(input.action)}" id="idp-login-form">
<input type="hidden" name="prompt" value="login">
<label for="idp-email">Email</label>
<input id="idp-email" name="email" type="email" autocomplete="username" value="${escapeHtml(prefill?.email ?? "")}" required>
<label for="idp-password">Password</label>
<input id="idp-password" name="password" type="password" autocomplete="current-password" value="${escapeHtml(prefill?.password ?? "")}" required>
<button class="primary" type="submit" id="idp-login">Sign in</button>
</form>
<table><thead><tr><th>Test account</th><th>Password</th><th>Name</th></tr></thead><tbody>
${rows}
</tbody></table>`,
  );
}

/** The consent form: the scopes asked for, Approve and Deny. */
export function consentPage(input: {
  profile: TestIdpProfile;
  action: string;
  clientId: string;
  user: TestUser;
  scopes: string[];
}): string {
  const items = input.scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("\n");
  return page(
    input.profile,
    "Allow access?",
    `<p><strong>${escapeHtml(input.clientId)}</strong> wants to access the account of
<strong>${escapeHtml(input.user.email)}</strong>:</p>
<ul id="idp-scopes">${items || "<li>(no additional permissions)</li>"}</ul>
<form method="post" action="${escapeHtml(input.action)}" id="idp-consent-form">
<input type="hidden" name="prompt" value="consent">
<button class="primary" type="submit" name="decision" value="approve" id="idp-approve">Approve</button>
<button type="submit" name="decision" value="deny" id="idp-deny">Deny</button>
</form>`,
  );
}

/** A plain error page for oidc-provider's `renderError`. */
export function errorPage(profile: TestIdpProfile, error: string, description?: string): string {
  return page(
    profile,
    "Sign-in error",
    `<p id="idp-error"><code>${escapeHtml(error)}</code></p>${description ? `<p>${escapeHtml(description)}</p>` : ""}`,
  );
}
