import type { Account } from "@securecontext/protocol";
import { html, layout, type RawHtml } from "./layout";

export interface ResultPageModel {
  ok: boolean;
  providerName?: string;
  account?: Account;
  clientName?: string;
  error?: string;
  message?: string;
  demo: boolean;
  /** Extra markup (the demo's "try an action" form). */
  extra?: RawHtml;
}

/** Success or failure page at the end of a connect flow without `redirectUrl`. */
export function resultPage(model: ResultPageModel): string {
  if (model.ok) {
    const who = model.account?.email ?? model.account?.name ?? model.account?.subject ?? "your account";
    const body = html`
<h1 class="ok">Connected</h1>
<p>Your ${model.providerName ?? "provider"} account <strong>${who}</strong>${model.account?.name && model.account.email ? html` (${model.account.name})` : ""} is now connected${model.clientName ? html` for <strong>${model.clientName}</strong>` : ""}.</p>
<p class="muted">You can close this window. You can disconnect at any time from your connections page.</p>
${model.extra ?? ""}`;
    return layout("Connected", body, { demo: model.demo });
  }
  const body = html`
<h1 class="err">Not connected</h1>
<p>${model.message ?? "The connection could not be completed."}</p>
${model.error ? html`<p class="muted">Error code: <code>${model.error}</code></p>` : ""}
<p class="muted">You can close this window and start again from the application.</p>`;
  return layout("Not connected", body, { demo: model.demo });
}

/** A plain message page (expired links, bad CSRF, unknown requests). */
export function messagePage(title: string, message: string, demo: boolean): string {
  return layout(title, html`<h1>${title}</h1><p>${message}</p>`, { demo });
}
