#!/usr/bin/env node
import { parseArgs } from "node:util";
import { ConfigError, isScpError } from "@securecontext/protocol";
import { createProviderRegistry } from "@securecontext/providers";
import { keyLayout } from "@securecontext/session-pool";
import { createKeyRing, rotateKeys, type StoreBackend } from "@securecontext/token-store";
import { createClientRegistry } from "./clients";
import {
  buildProviders,
  describeStore,
  generateEncryptionKeyEntry,
  loadServerConfig,
  openStoreBackend,
  POOL_KEY_PREFIX,
  type ServerConfig,
} from "./config";
import { createLogger } from "./logging";
import { startServer } from "./server";
import { isWebhookSecretKey } from "./services";
import { installSignalHandlers } from "./shutdown";

const USAGE = `securecontext — SecureContext Protocol reference server

Usage:
  securecontext start                      start the server (demo mode when no provider is configured)
  securecontext keys generate              print a new encryption key entry (kid:secret)
  securecontext keys rotate                re-encrypt every stored token set under the current key
  securecontext clients create --name NAME [--redirect-origin URL]... [--allow-token-access]
                                           create a client and print its API key (shown once)
  securecontext doctor                     check configuration, store and providers

Configuration comes from the environment (SCP_*; see the README).`;

function fail(message: string, code = 1): never {
  process.stderr.write(`securecontext: ${message}\n`);
  process.exit(code);
}

function describeError(error: unknown): string {
  if (error instanceof ConfigError) return `configuration error: ${error.message}`;
  if (isScpError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

async function withStore<T>(config: ServerConfig, run: (backend: StoreBackend) => Promise<T>): Promise<T> {
  const backend = await openStoreBackend(config.store);
  try {
    return await run(backend);
  } finally {
    await backend.close();
  }
}

async function commandStart(): Promise<void> {
  const server = await startServer({ env: process.env, printBanner: true });
  installSignalHandlers(server.close, createLogger({ level: process.env.SCP_LOG_LEVEL || "info" }));
}

async function commandKeysRotate(): Promise<void> {
  const config = loadServerConfig({ env: process.env });
  if (config.store.kind === "memory") fail("SCP_STORE=memory: holds nothing to rotate");
  const keyRing = createKeyRing({ keys: config.secrets.encryptionKeys });
  const result = await withStore(config, (backend) =>
    rotateKeys({
      store: backend.records,
      keyRing,
      // Exactly the records the server encrypts: the pool's token sets and OAuth state (from its own
      // layout) and webhook subscriptions with their signing secrets.
      isSecret: (key) => keyLayout(POOL_KEY_PREFIX).isSecret(key) || isWebhookSecretKey(key),
    }),
  );
  process.stdout.write(
    `current key: ${keyRing.currentKid}\nscanned: ${result.scanned}\nre-encrypted: ${result.reencrypted}\nfailed: ${result.failed}\n`,
  );
  if (result.failed > 0) {
    process.stdout.write(`failed records:\n${result.failedKeys.map((key) => `  ${key}`).join("\n")}\n`);
    process.exit(1);
  }
}

async function commandClientsCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: "string" },
      "redirect-origin": { type: "string", multiple: true },
      "allow-token-access": { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!values.name) fail("clients create needs --name");
  const config = loadServerConfig({ env: process.env });
  if (config.store.kind === "memory")
    fail("SCP_STORE=memory: would forget the client at once; use file: or redis://");
  const { createClientBodySchema, parseOrThrow } = await import("@securecontext/protocol");
  const body = parseOrThrow(
    createClientBodySchema,
    {
      name: values.name,
      ...(values["redirect-origin"]?.length ? { redirectOrigins: values["redirect-origin"] } : {}),
      allowTokenAccess: values["allow-token-access"],
    },
    "args",
  );
  const created = await withStore(config, (backend) =>
    createClientRegistry({ records: backend.records }).create(body),
  );
  process.stdout.write(
    `client id: ${created.id}\napi key:   ${created.apiKey}\n(the API key is shown only this once; store it now)\n`,
  );
}

async function commandDoctor(): Promise<void> {
  const problems: string[] = [];
  const ok = (line: string) => process.stdout.write(`  ok    ${line}\n`);
  const bad = (line: string) => {
    problems.push(line);
    process.stdout.write(`  FAIL  ${line}\n`);
  };
  let config: ServerConfig;
  try {
    config = loadServerConfig({ env: process.env });
    ok(`configuration valid (${config.production ? "production" : "development"})`);
  } catch (error) {
    bad(describeError(error));
    process.exit(1);
  }
  if (config.secrets.generated.encryptionKeys) {
    ok(
      `encryption keys generated for development in ${config.secrets.dataDir ?? "memory"} (set SCP_ENCRYPTION_KEYS for production)`,
    );
  }
  try {
    await withStore(config, (backend) => backend.ping());
    ok(`store reachable: ${describeStore(config.store)}`);
  } catch (error) {
    bad(`store ${describeStore(config.store)}: ${describeError(error)}`);
  }
  if (config.demo) {
    ok("no provider configured: `start` runs demo mode on local test identity providers");
  } else {
    try {
      const redirectUri = `${config.baseUrl ?? `http://localhost:${config.env.SCP_PORT}`}/oauth/callback`;
      const providers = createProviderRegistry(
        buildProviders(config.providerConfigs, { allowInsecureHttp: config.env.SCP_ALLOW_INSECURE_HTTP }),
      ).list();
      for (const provider of providers) {
        try {
          // Building an authorization URL runs discovery / endpoint resolution without user interaction.
          await provider.authorizationUrl({
            state: "doctor",
            codeVerifier: "doctor-check-verifier-0123456789abcdefghijklmnop",
            nonce: "doctor",
            scopes: [],
            redirectUri,
          });
          ok(
            `provider ${provider.id} (${provider.type}): endpoints resolved; API base ${provider.apiBaseUrls[0] ?? "none"}`,
          );
        } catch (error) {
          bad(`provider ${provider.id}: ${describeError(error)}`);
        }
      }
    } catch (error) {
      bad(describeError(error));
    }
  }
  process.stdout.write(
    problems.length ? `\n${problems.length} problem(s) found.\n` : "\nAll checks passed.\n",
  );
  process.exit(problems.length ? 1 : 0);
}

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  switch (command) {
    case "start":
      return commandStart();
    case "keys":
      if (sub === "generate") {
        process.stdout.write(`${generateEncryptionKeyEntry()}\n`);
        return;
      }
      if (sub === "rotate") return commandKeysRotate();
      return fail(`unknown keys command "${sub ?? ""}"\n\n${USAGE}`, 2);
    case "clients":
      if (sub === "create") return commandClientsCreate(rest);
      return fail(`unknown clients command "${sub ?? ""}"\n\n${USAGE}`, 2);
    case "doctor":
      return commandDoctor();
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      return fail(`unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => fail(describeError(error)));
