import type { TestUser } from "./types";

/** Tenant id used in Microsoft `tid` claims unless a user carries its own. */
export const DEFAULT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

/**
 * The people who can sign in when `users` is not given. The first one owns 250 messages (for
 * paging tests); the others own a few dozen each.
 */
export const seededUsers: readonly TestUser[] = Object.freeze([
  Object.freeze({
    subject: "user-alice-0001",
    email: "alice@example.test",
    name: "Alice Example",
    password: "alice-password",
  }),
  Object.freeze({
    subject: "user-bob-0002",
    email: "bob@example.test",
    name: "Bob Example",
    password: "bob-password",
  }),
  Object.freeze({
    subject: "user-carol-0003",
    email: "carol@example.test",
    name: "Carol Example",
    password: "carol-password",
  }),
]);

/** Finds a user by email (case-insensitive) or subject. */
export function findUser(users: readonly TestUser[], ref: string): TestUser | undefined {
  const lower = ref.toLowerCase();
  return users.find((user) => user.subject === ref || user.email.toLowerCase() === lower);
}
