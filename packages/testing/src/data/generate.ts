import type { TestIdpProfile, TestUser } from "../types";

/** Everything the fake APIs serve for one user. */
export interface UserData {
  user: TestUser;
}

export function generateUserData(input: {
  user: TestUser;
  index: number;
  seed: number;
  profile: TestIdpProfile;
}): UserData {
  return { user: input.user };
}
