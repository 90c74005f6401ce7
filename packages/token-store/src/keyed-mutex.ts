/**
 * Serialises async critical sections per key inside one process. It gives keyv-backed stores
 * their read-modify-write atomicity, and only within this process.
 */
export function keyedMutex(): <R>(key: string, section: () => Promise<R>) => Promise<R> {
  const tails = new Map<string, Promise<unknown>>();
  return async <R>(key: string, section: () => Promise<R>): Promise<R> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const current = previous.then(section, section);
    const tail = current.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
