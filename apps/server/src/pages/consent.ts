import { html, layout } from "./layout";

export interface ConsentPageModel {
  connectRequestId: string;
  clientName: string;
  agentId?: string;
  providerName: string;
  userId: string;
  scopes: Array<{ scope: string; description: string }>;
  csrf: string;
  expiresAt: string;
  demo: boolean;
}

/** The consent page: who asks, for which provider and scopes; one approve and one deny form. */
export function consentPage(model: ConsentPageModel): string {
  const base = `/connect/${encodeURIComponent(model.connectRequestId)}`;
  const body = html`
<h1>Connect your ${model.providerName} account</h1>
<p><strong>${model.clientName}</strong>${model.agentId ? html` (agent <strong>${model.agentId}</strong>)` : ""} asks to use your ${model.providerName} data on your behalf.</p>
<p class="muted">Request for user <code>${model.userId}</code>. SecureContext keeps the provider's tokens encrypted; the agent only gets short-lived, scoped access that you can revoke at any time.</p>
<h2>It will be able to</h2>
<ul class="scopes">
${model.scopes.map((item) => html`<li>${item.description}<code>${item.scope}</code></li>`)}
</ul>
<div class="actions">
<form id="scp-approve" method="post" action="${base}/approve">
<input type="hidden" name="csrf" value="${model.csrf}">
<button type="submit" class="primary">Continue to ${model.providerName}</button>
</form>
<form id="scp-deny" method="post" action="${base}/deny">
<input type="hidden" name="csrf" value="${model.csrf}">
<button type="submit">Deny</button>
</form>
</div>
<p class="muted">This request expires at <time datetime="${model.expiresAt}">${model.expiresAt.replace("T", " ").slice(0, 16)} UTC</time>.</p>`;
  return layout(`Connect ${model.providerName}`, body, { demo: model.demo });
}
