// TEMPORARY: @securecontext/providers does not export its types yet; switch to the package once it does.
export type {
  ActionDefinition,
  AuthorizedFetch,
  FailureClassification,
  OAuthProvider,
} from "../../providers/src/types";
