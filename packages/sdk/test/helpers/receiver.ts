import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface Delivery {
  body: string;
  signature: string | undefined;
}

/** A local HTTP endpoint that records webhook deliveries (raw body + SCP-Signature). */
export async function startReceiver(): Promise<{
  url: string;
  next(timeoutMs: number): Promise<Delivery>;
  close(): Promise<void>;
}> {
  const queue: Delivery[] = [];
  const waiters: Array<(delivery: Delivery) => void> = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  const server = createServer(async (req, res) => {
    const delivery = { body: await read(req), signature: req.headers["scp-signature"] as string | undefined };
    res.writeHead(204).end();
    const waiter = waiters.shift();
    if (waiter) waiter(delivery);
    else queue.push(delivery);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    next: (timeoutMs) => {
      const ready = queue.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no webhook delivery arrived")), timeoutMs);
        waiters.push((delivery) => {
          clearTimeout(timer);
          resolve(delivery);
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
