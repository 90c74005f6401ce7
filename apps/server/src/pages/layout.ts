import { createHash } from "node:crypto";

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** Tagged template that escapes every interpolation unless wrapped in {@link raw}. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): RawHtml {
  let out = strings[0] ?? "";
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? "");
  });
  return new RawHtml(out);
}

/** Already-safe HTML. */
export class RawHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted markup as safe. */
export function raw(value: string): RawHtml {
  return new RawHtml(value);
}

function renderValue(value: unknown): string {
  if (value instanceof RawHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(value);
}

/** The one stylesheet of every page; allowed by its hash in the CSP (no 'unsafe-inline'). */
export const PAGE_STYLE = `
:root{color-scheme:light dark;--fg:#1c2330;--muted:#5b6475;--bg:#f6f7f9;--card:#fff;--line:#dde1e7;--accent:#2456d6;--danger:#b42318;--ok:#137333}
@media (prefers-color-scheme:dark){:root{--fg:#e8ebf0;--muted:#a3acbb;--bg:#12151b;--card:#1b1f27;--line:#2d333d;--accent:#7aa2ff;--danger:#ff8a80;--ok:#81c995}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:560px;margin:48px auto;padding:0 16px}.card{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:28px}
h1{font-size:1.4rem;margin:0 0 8px}h2{font-size:1.05rem;margin:24px 0 8px}p{margin:8px 0}.muted{color:var(--muted);font-size:.92rem}
ul.scopes{list-style:none;padding:0;margin:8px 0}ul.scopes li{padding:10px 12px;border:1px solid var(--line);border-radius:8px;margin:6px 0}
ul.scopes code{display:block;color:var(--muted);font-size:.8rem;word-break:break-all}
.actions{display:flex;gap:12px;margin-top:24px;flex-wrap:wrap}form{margin:0}
button{font:inherit;padding:10px 18px;border-radius:8px;border:1px solid var(--line);background:var(--card);color:var(--fg);cursor:pointer}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.danger{color:var(--danger)}
button:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.badge{display:inline-block;padding:2px 8px;border-radius:999px;border:1px solid var(--line);font-size:.8rem}
.ok{color:var(--ok)}.err{color:var(--danger)}.banner{background:#fff4ce;color:#4d3b00;border-radius:8px;padding:10px 12px;margin-bottom:16px;font-size:.92rem}
table{width:100%;border-collapse:collapse}td,th{text-align:left;padding:8px 4px;border-bottom:1px solid var(--line);vertical-align:top}
pre{white-space:pre-wrap;word-break:break-all;background:var(--bg);border:1px solid var(--line);border-radius:8px;padding:10px;font-size:.82rem}
a{color:var(--accent)}footer{margin-top:16px;text-align:center}
`;

export const PAGE_STYLE_HASH = `sha256-${createHash("sha256").update(PAGE_STYLE).digest("base64")}`;

/** Wraps page content in the shared document. */
export function layout(title: string, body: RawHtml, options: { demo?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title} · SecureContext</title>
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
<main>
${options.demo ? html`<div class="banner" role="note"><strong>Demo mode</strong> — local identity provider with sample data; no real Google or Microsoft account is used.</div>` : ""}
<div class="card">
${body}
</div>
<footer class="muted">SecureContext · consented, short-lived access for agents</footer>
</main>
</body>
</html>`.value;
}
