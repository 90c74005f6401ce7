import type { Connection } from "@securecontext/protocol";
import { html, layout } from "./layout";

export interface PortalPageModel {
  userId: string;
  connections: Array<{ connection: Connection; providerName: string; csrf: string }>;
  notice?: string;
  demo: boolean;
}

/** "Your connections": every connection of one user with a Disconnect form each. */
export function portalPage(model: PortalPageModel): string {
  const rows = model.connections.map(
    ({ connection, providerName, csrf }) => html`<tr>
<td><strong>${providerName}</strong><br><span class="muted">${connection.account.email ?? connection.account.name ?? connection.account.subject}</span></td>
<td><span class="badge">${connection.status}</span>${connection.statusReason ? html`<br><span class="muted">${connection.statusReason.hint}</span>` : ""}</td>
<td>${
      connection.status === "revoked"
        ? ""
        : html`<form method="post" action="/my/connections/${encodeURIComponent(connection.id)}/disconnect">
<input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="danger">Disconnect</button></form>`
    }</td></tr>`,
  );
  const body = html`
<h1>Your connections</h1>
<p class="muted">Accounts connected for <code>${model.userId}</code>. Disconnecting revokes access at the provider where it can and erases the stored tokens.</p>
${model.notice ? html`<p class="ok" role="status">${model.notice}</p>` : ""}
${model.connections.length === 0 ? html`<p>No connected accounts.</p>` : html`<table><thead><tr><th>Account</th><th>Status</th><th></th></tr></thead><tbody>${rows}</tbody></table>`}`;
  return layout("Your connections", body, { demo: model.demo });
}
