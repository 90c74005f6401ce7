/**
 * A value given as its JSON text, for a caller that has the text already (the audit log hashes
 * each event's JSON, then stores a batch of them): the stores of this package write `json` as it
 * is instead of serializing the value a second time. Anything that serializes it with
 * `JSON.stringify` (a store of your own, a nested value) gets the same JSON through `toJSON`, and
 * every read returns the parsed value, never a `JsonText`.
 *
 * The text is not checked (that would cost the parse this saves): give only text that
 * `JSON.stringify` produced.
 *
 * @example
 * ```ts
 * const events = [{ id: "evt_1" }, { id: "evt_2" }];
 * await store.set("audit:row", new JsonText(`[${events.map((e) => JSON.stringify(e)).join(",")}]`));
 * (await store.get("audit:row"))?.value; // [{ id: "evt_1" }, { id: "evt_2" }]
 * ```
 */
export class JsonText {
  constructor(readonly json: string) {}

  toJSON(): unknown {
    return JSON.parse(this.json);
  }
}
