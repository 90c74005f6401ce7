import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniq } from "./helpers/env";
import { createClient } from "./helpers/flows";
import { api } from "./helpers/http";
import { startTestServer, type TestServer } from "./helpers/server";

/**
 * One real browser run: headless Chromium (the system's, no download) opens the connect URL,
 * approves, signs in and consents at the test IdP, and lands on SCP's success page.
 */

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

let server: TestServer;

beforeAll(async () => {
  if (hasChromium) server = await startTestServer();
});

afterAll(async () => {
  await server?.close();
});

describe("browser", () => {
  it.skipIf(!hasChromium)("connects an account in headless Chromium (needs /usr/bin/chromium)", async () => {
    const { chromium } = await import("playwright-core");
    const client = await createClient(server.url, server.adminKey, { name: "Browser Test Client" });
    const userId = uniq("browser-");
    const created = await api<{ id: string; url: string }>(server.url, "POST", "/v1/connect-requests", {
      token: client.apiKey,
      body: {
        userId,
        providerId: "google",
        scopes: ["https://www.googleapis.com/auth/gmail.readonly"],
        agentId: "inbox-helper",
      },
    });
    expect(created.status, created.text).toBe(201);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    try {
      const page = await browser.newPage();
      const consoleErrors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(message.text());
      });
      await page.goto(created.json.url);
      expect(await page.textContent("body")).toContain("Browser Test Client");
      const approve = page.locator("#scp-approve");
      const tag = await approve.evaluate((element) => element.tagName);
      await Promise.all([
        page.waitForURL((url) => url.origin === server.idps.google.issuer),
        tag === "FORM"
          ? approve.locator('button[type="submit"], button:not([type]), input[type="submit"]').first().click()
          : approve.click(),
      ]);
      await page.fill("#idp-email", "alice@example.test");
      await page.fill("#idp-password", "alice-password");
      await page.click("#idp-login");
      await page.waitForSelector("#idp-approve");
      await Promise.all([page.waitForURL((url) => url.origin === server.url), page.click("#idp-approve")]);
      await page.waitForLoadState("load");
      const text = (await page.textContent("body")) ?? "";
      await page.screenshot({ path: "/tmp/scp-browser-success.png", fullPage: true });
      expect(text).toContain("alice@example.test");
      expect(text.toLowerCase()).toMatch(/connected|success/);
      // CSP violations show up as console errors.
      expect(consoleErrors.filter((error) => /Content Security Policy/i.test(error))).toEqual([]);
      const status = await api<{ status: string; connectionId: string }>(
        server.url,
        "GET",
        `/v1/connect-requests/${created.json.id}`,
        { token: client.apiKey },
      );
      expect(status.json.status).toBe("completed");
      expect(status.json.connectionId).toMatch(/^con_/);
    } finally {
      await browser.close();
    }
  });
});
