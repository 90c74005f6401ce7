import { completeAuthorization } from "@securecontext/testing";

/**
 * Plays the person in demo mode: opens SCP's consent page, approves it (CSRF token + cookie),
 * signs in at the local demo IdP as `user`, and returns to SCP's callback. In a real app the
 * person does this in their browser after you show them `connectRequest.url`.
 */
export async function approveInDemoBrowser(connectUrl: string, user = "alice@example.test"): Promise<void> {
  const page = await fetch(connectUrl, { redirect: "manual" });
  const cookie = (page.headers.getSetCookie?.() ?? [])
    .find((c) => c.startsWith("scp_binding="))
    ?.split(";")[0];
  const html = await page.text();
  const approveForm = /<form[^>]*id="scp-approve"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  const csrf = approveForm ? /name="csrf" value="([^"]+)"/.exec(approveForm[2] as string)?.[1] : undefined;
  if (!cookie || !approveForm || !csrf) throw new Error("The consent page did not look as expected");
  const approved = await fetch(new URL(approveForm[1] as string, connectUrl), {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf }).toString(),
  });
  const authorizationUrl = approved.headers.get("location");
  if (!authorizationUrl) throw new Error(`Approving answered HTTP ${approved.status}`);
  const callback = await completeAuthorization(authorizationUrl, { user });
  const done = await fetch(callback, { redirect: "manual", headers: { cookie } });
  await done.body?.cancel();
}
