import type { Connection } from "@securecontext/protocol";
import { csrfToken } from "../http/browser";
import type { AppDeps } from "../http/deps";
import { html, layout, type RawHtml } from "../pages/layout";

/** The demo landing page at `/`: what this is, who can sign in, and "Try it" buttons. */
export function demoLandingPage(deps: AppDeps, csrf: string): string {
  const providers = [...deps.providers.values()];
  const users = deps.demo?.users ?? [];
  const body = html`
<h1>SecureContext demo</h1>
<p>Connect a sample account, then watch an agent read its mail through a short-lived, scoped session. Everything runs locally: the identity provider, the mailbox, the calendar and the drive are sample data.</p>
<h2>Try it</h2>
<div class="actions">
${providers.map(
  (provider) => html`<form method="post" action="/demo/try">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="providerId" value="${provider.id}">
<button type="submit" class="primary">Connect ${provider.displayName}</button>
</form>`,
)}
</div>
<h2>Sign in with</h2>
<table><thead><tr><th>Email</th><th>Password</th></tr></thead><tbody>
${users.map((user) => html`<tr><td>${user.email}</td><td><code>${user.password}</code></td></tr>`)}
</tbody></table>
<p class="muted">The admin key is printed in the server's console. API reference: <a href="/openapi.json">/openapi.json</a> · discovery: <a href="/.well-known/securecontext">/.well-known/securecontext</a></p>`;
  return layout("Demo", body, { demo: true });
}

/** On the demo's success page: a button that runs a sample action on the new connection. */
export function demoResultExtra(deps: AppDeps, connection: Connection, binding: string): RawHtml {
  return html`<div class="actions"><form method="post" action="/demo/sample">
<input type="hidden" name="csrf" value="${csrfToken(deps.csrfKey, binding, `demo-sample:${connection.id}`)}">
<input type="hidden" name="connectionId" value="${connection.id}">
<button type="submit" class="primary">See what an agent can read</button>
</form></div>`;
}

/** The output of the sample action. */
export function demoSamplePage(actionId: string, output: unknown): string {
  const text = JSON.stringify(output, null, 2);
  const body = html`
<h1>An agent read this</h1>
<p class="muted">Action <code>${actionId}</code> ran with a short-lived session over your new connection.</p>
<pre>${text.length > 6000 ? `${text.slice(0, 6000)}\n…` : text}</pre>
<p><a href="/">Back to the demo</a></p>`;
  return layout("Sample action", body, { demo: true });
}
