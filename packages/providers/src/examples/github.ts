/**
 * Adding a third provider is one small file: GitHub over the generic {@link oauth2} factory plus one
 * typed action. This file is the README's example and is tested in `github.test.ts`.
 */
import { z } from "zod";
import { definePagedAction } from "../actions/define";
import { callProviderApi } from "../actions/http";
import { type OAuth2Options, oauth2 } from "../oauth2";
import { defineProvider } from "../registry";
import type { ActionDefinition, OAuthProvider } from "../types";

export const GITHUB_AUTHORIZATION_ENDPOINT = "https://github.com/login/oauth/authorize";
export const GITHUB_TOKEN_ENDPOINT = "https://github.com/login/oauth/access_token";
export const GITHUB_API_BASE_URL = "https://api.github.com";

interface GitHubRepo {
  id: number;
  full_name: string;
  private: boolean;
  html_url: string;
  description: string | null;
  updated_at: string;
}

/** `github.repos.list`: the signed-in user's repositories, most recently updated first. */
export const githubReposListAction = definePagedAction({
  id: "github.repos.list",
  providerId: "github",
  title: "List GitHub repositories",
  description: "Lists repositories the signed-in GitHub user can access, most recently updated first.",
  requiredScopes: ["repo"],
  input: z.strictObject({
    maxResults: z.number().int().min(1).max(100).default(30),
    pageToken: z.string().regex(/^\d+$/).optional(),
  }),
  output: z.object({
    repositories: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        private: z.boolean(),
        link: z.string(),
        description: z.string().nullable(),
        updatedAt: z.string(),
      }),
    ),
    nextPageToken: z.string().nullable(),
  }),
  itemsKey: "repositories",
  async run(context, input) {
    const page = Number(input.pageToken ?? "1");
    const repos = await callProviderApi<GitHubRepo[]>(context, "/user/repos", {
      query: { sort: "updated", per_page: input.maxResults, page },
      headers: { accept: "application/vnd.github+json" },
      requiredScopes: ["repo"],
    });
    return {
      repositories: repos.map((repo) => ({
        id: String(repo.id),
        name: repo.full_name,
        private: repo.private,
        link: repo.html_url,
        description: repo.description,
        updatedAt: repo.updated_at,
      })),
      nextPageToken: repos.length === input.maxResults ? String(page + 1) : null,
    };
  },
});

/** Options of {@link github}: credentials, plus endpoint overrides for tests. */
export type GitHubOptions = Pick<
  OAuth2Options,
  "clientId" | "clientSecret" | "fetch" | "allowInsecureHttp"
> & {
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  apiBaseUrl?: string;
};

/** GitHub (OAuth Apps): plain OAuth 2.0, identity from `GET /user`, no refresh tokens by default. */
export function github(options: GitHubOptions): OAuthProvider {
  const apiBaseUrl = options.apiBaseUrl ?? GITHUB_API_BASE_URL;
  return defineProvider(
    oauth2({
      ...options,
      id: "github",
      displayName: "GitHub",
      authorizationEndpoint: options.authorizationEndpoint ?? GITHUB_AUTHORIZATION_ENDPOINT,
      tokenEndpoint: options.tokenEndpoint ?? GITHUB_TOKEN_ENDPOINT,
      userinfoEndpoint: `${apiBaseUrl}/user`,
      clientAuthentication: "client_secret_post",
      scopes: ["repo", "read:user", "user:email"],
      scopeDescriptions: {
        repo: "Read and write your public and private repositories",
        "read:user": "Read your profile",
        "user:email": "See your email addresses",
      },
      apiBaseUrls: [apiBaseUrl],
      actions: [githubReposListAction as ActionDefinition],
      identityFromUserinfo: (user) => ({
        subject: String(user.id),
        ...(typeof user.email === "string" ? { email: user.email } : {}),
        ...(typeof user.name === "string"
          ? { name: user.name }
          : typeof user.login === "string"
            ? { name: user.login }
            : {}),
      }),
    }),
  );
}
