import type { TestIdp } from "@securecontext/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { microsoft } from "../src/microsoft";
import type { OAuthProvider } from "../src/types";
import { connect, providerFor, startIdp } from "./helpers";

/** Graph scopes come in two spellings; the Microsoft provider hands out only the short one. */
describe("microsoft provider: one scope, two spellings", () => {
  let idp: TestIdp;
  let provider: OAuthProvider;
  beforeAll(async () => {
    idp = await startIdp("microsoft");
    provider = providerFor("microsoft", idp);
  });
  afterAll(() => idp.stop());

  it("token sets carry the short form whichever form was requested, and refresh keeps it", async () => {
    const full = await connect(provider, ["https://graph.microsoft.com/Mail.Read"]);
    expect(full.scopes).toContain("Mail.Read");
    expect(full.scopes.some((scope) => scope.startsWith("https://graph.microsoft.com/"))).toBe(false);
    const short = await connect(provider, ["Mail.Read", "Calendars.Read"]);
    expect(short.scopes).toEqual(expect.arrayContaining(["Mail.Read", "Calendars.Read"]));
    const refreshed = await provider.refresh({
      refreshToken: short.refreshToken ?? "",
      grantedScopes: short.scopes,
    });
    expect(refreshed.scopes.some((scope) => scope.startsWith("https://graph.microsoft.com/"))).toBe(false);
  });

  it("compares equal through normalizeScope, describes both forms, and offers short scopes", () => {
    const bare = microsoft({ tenant: "organizations", clientId: "c", clientSecret: "s" });
    const normalize = bare.normalizeScope ?? ((scope: string) => scope);
    expect(normalize("https://graph.microsoft.com/Mail.Read")).toBe("Mail.Read");
    expect(normalize("HTTPS://GRAPH.MICROSOFT.COM/mail.read")).toBe("Mail.Read");
    expect(normalize("Mail.Read")).toBe("Mail.Read");
    expect(normalize("files.read.all")).toBe("Files.Read.All");
    // Not Graph permissions, or not a single permission: kept as given.
    expect(normalize("https://graph.microsoft.com/.default")).toBe("https://graph.microsoft.com/.default");
    expect(normalize("https://outlook.office.com/IMAP.AccessAsUser.All")).toBe(
      "https://outlook.office.com/IMAP.AccessAsUser.All",
    );
    expect(normalize("offline_access")).toBe("offline_access");
    expect(bare.describeScope("https://graph.microsoft.com/Mail.Read")).toBe(bare.describeScope("Mail.Read"));
    expect(bare.describeScope("Mail.Read")).toBe("Read your mail");
    expect(bare.scopes.every((scope) => !scope.startsWith("https://"))).toBe(true);
    for (const action of bare.actions) {
      expect(action.requiredScopes.map(normalize)).toEqual(action.requiredScopes);
    }
    // Configured full-URL scopes are offered in the short form.
    const configured = microsoft({
      tenant: "organizations",
      clientId: "c",
      scopes: ["https://graph.microsoft.com/Mail.Read", "Calendars.Read"],
    });
    expect(configured.scopes).toEqual(expect.arrayContaining(["Mail.Read", "Calendars.Read"]));
    expect(configured.scopes).not.toContain("https://graph.microsoft.com/Mail.Read");
    // It is still a working provider object (the getter survives).
    expect(configured.supportsRevocation).toBe(false);
  });
});
