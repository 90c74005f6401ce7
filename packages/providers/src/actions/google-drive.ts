import { definePagedAction } from "./define";
import { callProviderApi } from "./http";
import { type DriveFile, driveSearchInputSchema, driveSearchOutputSchema, isoDate } from "./schemas";

/** Drive read-only scope. */
export const DRIVE_READONLY_SCOPE = "https://www.googleapis.com/auth/drive.readonly";

const FOLDER_MIME_TYPE = "application/vnd.google-apps.folder";

/** The parts of a Drive `files` resource the normalizer reads. */
export interface GoogleDriveFileResource {
  id: string;
  name?: string;
  mimeType?: string;
  modifiedTime?: string;
  webViewLink?: string;
}
interface DriveListResponse {
  files?: GoogleDriveFileResource[];
  nextPageToken?: string;
}

/** Normalizes a Drive file to the shared file shape. */
export function normalizeGoogleFile(file: GoogleDriveFileResource): DriveFile {
  const mimeType = file.mimeType ?? "application/octet-stream";
  return {
    id: file.id,
    name: file.name ?? "",
    mimeType,
    modifiedTime: isoDate(file.modifiedTime),
    link: file.webViewLink ?? null,
    isFolder: mimeType === FOLDER_MIME_TYPE,
  };
}

/**
 * A Drive `q` expression matching `text` in files not in the trash. `fullText` covers the name,
 * description and content.
 */
export function driveQuery(text: string): string {
  const literal = text.replace(/\\/g, "\\\\").replace(/'/g, "\\'");
  return `fullText contains '${literal}' and trashed = false`;
}

/** `google.drive.search`: Drive files whose name or content matches. */
export const googleDriveSearchAction = definePagedAction({
  id: "google.drive.search",
  providerId: "google",
  title: "Search Google Drive",
  description:
    "Finds Google Drive files whose name or content contains the query text; returns name, type, modified time and link.",
  requiredScopes: [DRIVE_READONLY_SCOPE],
  input: driveSearchInputSchema,
  output: driveSearchOutputSchema,
  itemsKey: "files",
  async run(context, input) {
    const page = await callProviderApi<DriveListResponse>(context, "/drive/v3/files", {
      query: {
        q: driveQuery(input.query),
        pageSize: input.maxResults,
        pageToken: input.pageToken,
        fields: "nextPageToken,files(id,name,mimeType,modifiedTime,webViewLink)",
      },
      requiredScopes: [DRIVE_READONLY_SCOPE],
    });
    return { files: (page.files ?? []).map(normalizeGoogleFile), nextPageToken: page.nextPageToken ?? null };
  },
});
