export { type DemoIdps, startDemoIdps } from "./idp";
export { registerDemoRoutes } from "./routes";

/** The demo client's fixed id (so restarts on the file store reuse one record). */
export const DEMO_CLIENT_ID = "cli_DemoAgent0000000000000000";
export const DEMO_USER_ID = "demo-user";

/** The console banner printed at start in demo mode. */
export function demoBanner(options: {
  url: string;
  adminKey: string;
  users: Array<{ email: string; password: string }>;
}): string {
  const line = "=".repeat(78);
  const user = options.users[0];
  return [
    line,
    "  DEMO MODE — local identity provider with sample data; no real Google/Microsoft account is used",
    line,
    `  Open ${options.url}/ and click "Connect" to walk through the consent flow.`,
    user ? `  Sign in at the demo identity provider as ${user.email} / ${user.password}` : "",
    "",
    `  Admin key (shown once): ${options.adminKey}`,
    "",
    "  Quick start with curl:",
    `    curl -s -H "Authorization: Bearer ${options.adminKey}" ${options.url}/v1/connections`,
    `    curl -s ${options.url}/.well-known/securecontext`,
    line,
  ]
    .filter((entry, index, all) => entry !== "" || all[index - 1] !== "")
    .join("\n");
}
