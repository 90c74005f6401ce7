/**
 * The slice of a node-redis 5 client the backend uses. `createClient()` from "redis" satisfies it;
 * so does anything with the same shape.
 */
export interface RedisClientLike {
  readonly isReady: boolean;
  sendCommand<T = unknown>(args: ReadonlyArray<string>, options?: { timeout?: number }): Promise<T>;
  /** A new, unconnected client with the same options: the backend's pub/sub connection. */
  duplicate(): RedisSubscriberLike;
}

/** The subscriber connection made by `client.duplicate()`. */
export interface RedisSubscriberLike {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  subscribe(channels: string, listener: (message: string, channel: string) => unknown): Promise<void>;
  unsubscribe(channels?: string, listener?: (message: string, channel: string) => unknown): Promise<void>;
  close(): Promise<void>;
  destroy(): void;
  on(event: "error", listener: (error: Error) => void): unknown;
}
