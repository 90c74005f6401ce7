import Keyv from "keyv";
import { afterEach, describe, expect, it } from "vitest";
import { keyvStore } from "./keyv-store";
import { runTokenStoreSuite } from "./testing";

runTokenStoreSuite(
  { describe, it, expect, afterEach },
  () => keyvStore({ keyv: new Keyv({ store: new Map() }) }),
  {
    name: "keyvStore(Map)",
  },
);
runTokenStoreSuite(
  { describe, it, expect, afterEach },
  () => keyvStore({ keyv: new Keyv({ store: new Map(), namespace: "scp", throwOnErrors: true }) }),
  { name: "keyvStore(Map, namespaced)" },
);

describe("keyvStore", () => {
  it("surfaces adapter failures as StoreError", async () => {
    const failing = new Map();
    failing.get = () => {
      throw new Error("backend down");
    };
    const store = keyvStore({ keyv: new Keyv({ store: failing, throwOnErrors: true }) });
    await expect(store.get("k")).rejects.toMatchObject({
      name: "StoreError",
      message: expect.stringMatching(/down/),
    });
  });

  it("rejects entries it did not write instead of returning garbage", async () => {
    const keyv = new Keyv({ store: new Map() });
    await keyv.set("foreign", "plain string");
    await expect(keyvStore({ keyv }).get("foreign")).rejects.toMatchObject({ name: "StoreError" });
  });

  it("closing the store leaves the injected keyv usable", async () => {
    const keyv = new Keyv({ store: new Map() });
    const store = keyvStore({ keyv });
    await store.set("k", 1);
    await store.close();
    await expect(store.get("k")).rejects.toMatchObject({ name: "StoreError" });
    expect(await keyv.get("k")).toMatchObject({ version: 1 });
  });
});
