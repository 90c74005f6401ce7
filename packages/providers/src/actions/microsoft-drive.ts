import { definePagedAction } from "./define";
import { fetchGraphPage } from "./graph-paging";
import { type DriveFile, driveSearchInputSchema, driveSearchOutputSchema, isoDate } from "./schemas";

/** Graph delegated permission to read files the user can access (needs no admin consent). */
export const FILES_READ_SCOPE = "Files.Read.All";

/** Reported as `mimeType` for OneDrive folders (Graph gives folders no MIME type). */
export const FOLDER_MIME_TYPE = "inode/directory";

/** The parts of a Graph `driveItem` the normalizer reads. */
export interface GraphDriveItemResource {
  id: string;
  name?: string;
  file?: { mimeType?: string };
  folder?: { childCount?: number };
  lastModifiedDateTime?: string;
  webUrl?: string;
}

/** Normalizes a OneDrive item to the shared file shape (same as Google Drive's). */
export function normalizeGraphDriveItem(item: GraphDriveItemResource): DriveFile {
  const isFolder = item.folder !== undefined;
  return {
    id: item.id,
    name: item.name ?? "",
    mimeType: isFolder ? FOLDER_MIME_TYPE : (item.file?.mimeType ?? "application/octet-stream"),
    modifiedTime: isoDate(item.lastModifiedDateTime),
    link: item.webUrl ?? null,
    isFolder,
  };
}

/** The `search(q='…')` path segment, with quotes doubled (OData) and the text URL-encoded. */
export function graphDriveSearchPath(text: string): string {
  return `/v1.0/me/drive/root/search(q='${encodeURIComponent(text.replace(/'/g, "''"))}')`;
}

/** `microsoft.drive.search`: OneDrive / SharePoint files whose name or content matches. */
export const microsoftDriveSearchAction = definePagedAction({
  id: "microsoft.drive.search",
  providerId: "microsoft",
  title: "Search OneDrive",
  description:
    "Finds OneDrive files whose name or content matches the query text; returns name, type, modified time and link.",
  requiredScopes: [FILES_READ_SCOPE],
  input: driveSearchInputSchema,
  output: driveSearchOutputSchema,
  itemsKey: "files",
  async run(context, input) {
    const page = await fetchGraphPage<GraphDriveItemResource>(context, {
      path: graphDriveSearchPath(input.query),
      pageToken: input.pageToken,
      query: { $top: input.maxResults, $select: "id,name,file,folder,lastModifiedDateTime,webUrl" },
      requiredScopes: [FILES_READ_SCOPE],
    });
    return { files: page.items.map(normalizeGraphDriveItem), nextPageToken: page.nextPageToken };
  },
});
