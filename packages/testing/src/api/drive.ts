import type { DriveFile } from "../data/generate";
import { GOOGLE_SCOPES } from "../profiles";
import { apiError } from "./errors";
import { decodePageToken, encodePageToken, includesText, pageSize } from "./paging";
import type { ApiRoute } from "./types";

type Clause = (file: DriveFile) => boolean;

/**
 * Parses the Drive query subset: clauses joined by `and`, each one of `name contains 'x'`,
 * `fullText contains 'x'`, `mimeType = 'x'`, `mimeType != 'x'`, `trashed = false|true`, optionally
 * preceded by `not`. Returns `undefined` for anything else (the API answers 400, like Drive).
 */
export function parseDriveQuery(q: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  const parts = q.trim() === "" ? [] : q.split(/\s+and\s+/i);
  for (const part of parts) {
    const match =
      /^\s*(not\s+)?(name|fullText|mimeType|trashed)\s+(contains|=|!=)\s+(?:'((?:[^'\\]|\\.)*)'|(true|false))\s*$/i.exec(
        part,
      );
    if (!match) return undefined;
    const [, not, field, op, quoted, bool] = match;
    const value = (quoted ?? bool ?? "").replace(/\\(.)/g, "$1");
    let clause: Clause;
    if (field === "trashed") clause = () => value === "false";
    else if (field === "mimeType" && op !== "contains")
      clause = (f) => (f.mimeType === value) === (op === "=");
    else if (field === "name" && op === "contains") clause = (f) => includesText(f.name, value);
    else if (field === "name") clause = (f) => (f.name === value) === (op === "=");
    else if (field === "fullText" && op === "contains")
      clause = (f) => includesText(`${f.name} ${f.content}`, value);
    else return undefined;
    clauses.push(not ? (f) => !clause(f) : clause);
  }
  return clauses;
}

/** A Drive v3 `files` resource (the commonly requested fields). */
export function driveFile(file: DriveFile): Record<string, unknown> {
  const kind = file.mimeType.split(".").pop() ?? "file";
  return {
    kind: "drive#file",
    id: file.id,
    name: file.name,
    mimeType: file.mimeType,
    modifiedTime: new Date(file.modifiedAt).toISOString(),
    createdTime: new Date(file.createdAt).toISOString(),
    webViewLink: file.mimeType.startsWith("application/vnd.google-apps.")
      ? `https://docs.google.com/${kind}/d/${file.id}/edit?usp=drivesdk`
      : `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`,
    ...(file.mimeType === "application/pdf" ? { size: String(file.size) } : {}),
  };
}

export const driveRoutes: ApiRoute[] = [
  {
    family: "google",
    method: "GET",
    pattern: /^\/drive\/v3\/files$/,
    name: "GET /drive/v3/files",
    scopes: [
      GOOGLE_SCOPES.driveReadonly,
      "https://www.googleapis.com/auth/drive",
      "https://www.googleapis.com/auth/drive.metadata.readonly",
    ],
    handle({ url, data }) {
      const size = pageSize(url.searchParams.get("pageSize"), 100, 1000);
      const offset = decodePageToken(url.searchParams.get("pageToken"));
      if (size === undefined) return apiError("google", 400, "Invalid pageSize");
      if (offset === undefined) return apiError("google", 400, "Invalid pageToken");
      const clauses = parseDriveQuery(url.searchParams.get("q") ?? "");
      if (!clauses) return apiError("google", 400, "Invalid Value");
      const matches = data.files.filter((file) => clauses.every((clause) => clause(file)));
      const page = matches.slice(offset, offset + size);
      const next = offset + size < matches.length ? encodePageToken(offset + size) : undefined;
      return {
        status: 200,
        body: {
          kind: "drive#fileList",
          incompleteSearch: false,
          files: page.map(driveFile),
          ...(next ? { nextPageToken: next } : {}),
        },
      };
    },
  },
];
