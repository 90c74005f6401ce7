import { StoreError } from "@securecontext/protocol";
import type Database from "better-sqlite3";

/**
 * The file store's table layout, recorded in `PRAGMA user_version`:
 * - 1 (or 0, files from before versioning): `scp_kv` as a `WITHOUT ROWID` table keyed by (ns, key).
 * - 2: a rowid table with a unique (ns, key) index.
 *
 * Why 2: a `WITHOUT ROWID` table is a b-tree whose cells hold whole rows, interior cells included,
 * so values of hundreds of bytes (audit batches, sessions, token sets) leave a few cells per page
 * and a deep tree that every lookup walks (SQLite advises against it above 1/20 of a page per
 * row). Measured on the server's token endpoint over the file store: storing each audit batch as
 * one row halved throughput on layout 1 and raised it by about a tenth on layout 2.
 */
export const FILE_SCHEMA_VERSION = 2;

const TABLE_COLUMNS = `(
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  expires_at INTEGER,
  UNIQUE (ns, key)
)`;
const EXPIRY_INDEX =
  "CREATE INDEX IF NOT EXISTS scp_kv_expires ON scp_kv (expires_at) WHERE expires_at IS NOT NULL;";

/**
 * Creates the table, or moves a layout-1 file to layout 2 (rows, versions and expiries copied as
 * they are) in one `BEGIN IMMEDIATE` transaction, so processes opening the file at once migrate it
 * once and a crash leaves the old layout whole. A file from a newer version is refused.
 */
export function ensureFileSchema(db: Database.Database): void {
  const versionOf = () => db.pragma("user_version", { simple: true }) as number;
  if (versionOf() === FILE_SCHEMA_VERSION) return;
  db.transaction(() => {
    const version = versionOf();
    if (version === FILE_SCHEMA_VERSION) return;
    if (version > FILE_SCHEMA_VERSION) {
      throw new StoreError(
        `its layout ${version} was written by a newer version of @securecontext/token-store (this one reads up to ${FILE_SCHEMA_VERSION})`,
      );
    }
    const existing = db
      .prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'scp_kv'")
      .get();
    if (existing === undefined) {
      db.exec(`CREATE TABLE scp_kv ${TABLE_COLUMNS}; ${EXPIRY_INDEX}`);
    } else if (/WITHOUT\s+ROWID/i.test(existing.sql)) {
      db.exec(`
        CREATE TABLE scp_kv_next ${TABLE_COLUMNS};
        INSERT INTO scp_kv_next (ns, key, value, version, expires_at)
          SELECT ns, key, value, version, expires_at FROM scp_kv ORDER BY ns, key;
        DROP TABLE scp_kv;
        ALTER TABLE scp_kv_next RENAME TO scp_kv;
        ${EXPIRY_INDEX}
      `);
    }
    db.pragma(`user_version = ${FILE_SCHEMA_VERSION}`);
  }).immediate();
}
