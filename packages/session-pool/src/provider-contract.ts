/** The provider contract the pool builds on (re-exported in one place). */
export type {
  ActionDefinition,
  AuthorizedFetch,
  FailureClassification,
  OAuthProvider,
} from "@securecontext/providers";
