#!/usr/bin/env node
/**
 * `securecontext-testing idp --profile google|microsoft|generic [--port N] [--host H]
 * [--redirect-uri URL]... [--client-id ID] [--client-secret SECRET] [--seed N]`
 *
 * Starts a test IdP, registers one client and prints what to paste into a config. Runs until Ctrl-C.
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { providerConfigEntry } from "./config-entry";
import { startTestIdp } from "./idp";
import { PROFILES } from "./profiles";
import type { TestIdpProfile } from "./types";

const USAGE = `Usage: securecontext-testing idp --profile google|microsoft|generic [options]

Options:
  --port N             port to listen on (default: random)
  --host HOST          address to bind (default: 127.0.0.1)
  --redirect-uri URL   client redirect URI, repeatable (default: http://localhost:8787/oauth/callback)
  --client-id ID       client id (default: generated)
  --client-secret S    client secret (default: generated)
  --seed N             seed for the sample mailbox, calendar and drive (default: 1)
  --help               show this help`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      profile: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      "redirect-uri": { type: "string", multiple: true },
      "client-id": { type: "string" },
      "client-secret": { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help || positionals[0] !== "idp") {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const profile = values.profile ?? "generic";
  if (!(profile in PROFILES)) {
    console.error(`Unknown profile "${profile}". Use google, microsoft or generic.`);
    return 2;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || !Number.isInteger(seed)) {
    console.error("--port and --seed must be integers.");
    return 2;
  }
  const clientId = values["client-id"] ?? `test-client-${randomBytes(4).toString("hex")}`;
  const clientSecret = values["client-secret"] ?? randomBytes(24).toString("base64url");
  const redirectUris = values["redirect-uri"] ?? ["http://localhost:8787/oauth/callback"];

  const idp = await startTestIdp({
    profile: profile as TestIdpProfile,
    port,
    ...(values.host ? { host: values.host } : {}),
    seed,
    clients: [{ clientId, clientSecret, redirectUris }],
  });

  const entry = providerConfigEntry(idp, clientId, clientSecret);
  console.log(`Test IdP (${profile}) running — local test data only, not a real ${profile} account.

  Issuer:         ${idp.issuer}
  Discovery:      ${idp.issuer}/.well-known/openid-configuration
  API base URL:   ${idp.apiBaseUrl}
  Client id:      ${clientId}
  Client secret:  ${clientSecret}
  Redirect URIs:  ${redirectUris.join(", ")}
  Users:          ${idp.users.map((u) => `${u.email} / ${u.password}`).join(", ")}

SCP_CONFIG provider entry (the server also needs SCP_ALLOW_INSECURE_HTTP=1 for an http issuer):
${JSON.stringify(entry, null, 2)}

Press Ctrl-C to stop.`);

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await idp.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
