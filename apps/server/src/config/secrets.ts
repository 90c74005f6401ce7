import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, type EncryptionKeySpec, encryptionKeysSchema } from "@securecontext/protocol";

/** Where development secrets live unless `SCP_DATA_DIR` says otherwise. */
export const DEFAULT_DATA_DIR = ".securecontext";
export const KEYS_FILE = "encryption-keys";
export const ADMIN_KEY_FILE = "admin-key";

/** A fresh `kid:base64url(32 bytes)` encryption key entry. */
export function generateEncryptionKeyEntry(now = new Date()): string {
  const kid = `k${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`;
  return `${kid}:${randomBytes(32).toString("base64url")}`;
}

/** A fresh admin key (256 bits). */
export function generateAdminKey(): string {
  return `scp_admin_${randomBytes(32).toString("base64url")}`;
}

export interface ResolvedSecrets {
  encryptionKeys: EncryptionKeySpec[];
  adminKey: string;
  /** Which secrets were generated (or read back from the data dir) rather than given. */
  generated: { encryptionKeys: boolean; adminKey: boolean };
  /** Where generated secrets were written; undefined when kept in memory only. */
  dataDir: string | undefined;
}

export interface ResolveSecretsOptions {
  encryptionKeys: EncryptionKeySpec[] | undefined;
  adminKey: string | undefined;
  production: boolean;
  /** Persist generated secrets in `dataDir` (file and redis stores); false keeps them in memory. */
  persist: boolean;
  dataDir: string;
}

function readOrCreate(path: string, create: () => string): string {
  if (existsSync(path)) return readFileSync(path, "utf8").trim();
  const value = create();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return value;
}

/**
 * Explicit keys win. In production both are required. In development a missing secret is generated
 * once into the data dir (0700 / 0600) so restarts keep reading the same data, or kept in memory for
 * the memory store.
 */
export function resolveSecrets(options: ResolveSecretsOptions): ResolvedSecrets {
  if (options.production) {
    const missing = [
      options.encryptionKeys ? undefined : "SCP_ENCRYPTION_KEYS",
      options.adminKey ? undefined : "SCP_ADMIN_KEY",
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfigError(
        `NODE_ENV=production requires explicit ${missing.join(" and ")}; refusing to start with generated secrets. ` +
          "Generate an encryption key with `securecontext keys generate`.",
        { field: missing[0] },
      );
    }
  }
  const needsGeneration = !options.encryptionKeys || !options.adminKey;
  let dataDir: string | undefined;
  if (needsGeneration && options.persist) {
    dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  let encryptionKeys = options.encryptionKeys;
  if (!encryptionKeys) {
    const entry = dataDir
      ? readOrCreate(join(dataDir, KEYS_FILE), () => generateEncryptionKeyEntry())
      : generateEncryptionKeyEntry();
    const parsed = encryptionKeysSchema.safeParse(entry);
    if (!parsed.success) {
      throw new ConfigError(`${join(dataDir ?? "", KEYS_FILE)} does not hold valid encryption keys`, {
        field: "SCP_ENCRYPTION_KEYS",
      });
    }
    encryptionKeys = parsed.data;
  }
  const adminKey =
    options.adminKey ??
    (dataDir ? readOrCreate(join(dataDir, ADMIN_KEY_FILE), generateAdminKey) : generateAdminKey());
  return {
    encryptionKeys,
    adminKey,
    generated: { encryptionKeys: !options.encryptionKeys, adminKey: !options.adminKey },
    dataDir,
  };
}
