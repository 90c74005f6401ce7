/**
 * A reference server (floor-servers.mjs) alone in its own process, for the instruction-count bench
 * (callgrind counts this process only): `bare` or `hono` as the argument. Replies `{ port }` over
 * IPC once listening.
 */
import { createServer } from "node:http";
import { floorListener } from "./floor-servers.mjs";

const mode = process.argv[2];
if (mode !== "bare" && mode !== "hono") throw new Error(`unknown reference server ${mode}`);
const server = createServer(floorListener(mode));
server.listen(0, "127.0.0.1", () => process.send?.({ port: server.address().port }));
