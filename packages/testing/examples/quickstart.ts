// Run with: pnpm tsx packages/testing/examples/quickstart.ts
import { createHash, randomBytes } from "node:crypto";
import { completeAuthorization, GOOGLE_SCOPES, startTestIdp } from "@securecontext/testing";

const redirectUri = "http://127.0.0.1:3000/callback";
const idp = await startTestIdp({
  profile: "google",
  clients: [{ clientId: "my-app", clientSecret: "my-secret", redirectUris: [redirectUri] }],
});
try {
  const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(discovery.authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: "my-app",
    redirect_uri: redirectUri,
    response_type: "code",
    scope: `openid email ${GOOGLE_SCOPES.gmailReadonly}`,
    state: "xyz",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    access_type: "offline", // Google rule: a refresh token needs access_type=offline…
    prompt: "consent", // …and prompt=consent
  }).toString();

  // Signs in as Bob and approves consent over plain HTTP; returns the redirect to redirectUri.
  const callback = await completeAuthorization(authorize, { user: "bob@example.test" });

  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from("my-app:my-secret").toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  const tokens = await tokenResponse.json();
  console.log("refresh token issued:", typeof tokens.refresh_token === "string");

  const inbox = await fetch(`${idp.apiBaseUrl}/gmail/v1/users/me/messages?maxResults=3`, {
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  console.log(await inbox.json());

  // Make the next token request fail, as Google sometimes does.
  idp.inject({ target: "token", kind: "http429", retryAfter: 2 });
  console.log(idp.stats());
} finally {
  await idp.stop();
}
