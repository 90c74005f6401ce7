import { completeAuthorization } from "@securecontext/testing";

/** What the person's browser did on the consent page. */
export interface BrowserConsentResult {
  /** Where SCP's callback sent the browser (redirectUrl with status), or undefined for a result page. */
  finalLocation: string | undefined;
  /** Status of the callback response (303 with a redirectUrl, else 200 result page). */
  callbackStatus: number;
}

function cookieFrom(response: Response): string {
  const cookies = response.headers.getSetCookie?.() ?? [];
  const binding = cookies.find((cookie) => cookie.startsWith("scp_binding="));
  if (!binding) throw new Error("consent page did not set the scp_binding cookie");
  return binding.split(";")[0] as string;
}

/**
 * Plays the person in a browser, over plain HTTP: opens SCP's consent page, submits the approve
 * (or deny) form with its CSRF token and cookie, signs in and consents at the test IdP
 * (`completeAuthorization`), and follows the redirect to SCP's callback with the cookie.
 */
export async function consentInBrowser(
  connectUrl: string,
  options: { user?: string; approve?: boolean } = {},
): Promise<BrowserConsentResult> {
  const page = await fetch(connectUrl, { redirect: "manual" });
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const cookie = cookieFrom(page);
  const html = await page.text();
  const decision = options.approve === false ? "deny" : "approve";
  const form = new RegExp(
    `<form[^>]*id="scp-${decision}"[^>]*action="([^"]+)"[^>]*>([\\s\\S]*?)</form>`,
  ).exec(html);
  if (!form) throw new Error(`consent page has no scp-${decision} form`);
  const csrf = /name="csrf" value="([^"]+)"/.exec(form[2] as string)?.[1];
  if (!csrf) throw new Error("consent form has no csrf input");
  const submitted = await fetch(new URL((form[1] as string).replaceAll("&amp;", "&"), connectUrl), {
    method: "POST",
    redirect: "manual",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrf }).toString(),
  });
  if (decision === "deny") {
    await submitted.body?.cancel();
    return {
      finalLocation: submitted.headers.get("location") ?? undefined,
      callbackStatus: submitted.status,
    };
  }
  const authorizationUrl = submitted.headers.get("location");
  await submitted.body?.cancel();
  if (submitted.status !== 303 || !authorizationUrl) {
    throw new Error(`approve answered ${submitted.status} without a redirect to the provider`);
  }
  const callback = await completeAuthorization(authorizationUrl, { user: options.user });
  const finished = await fetch(callback, { redirect: "manual", headers: { cookie } });
  await finished.body?.cancel();
  return { finalLocation: finished.headers.get("location") ?? undefined, callbackStatus: finished.status };
}
