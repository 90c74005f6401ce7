import type { TestIdpProfile, TestUser } from "../types";
import { createRng, seedFor } from "./rng";
import {
  CONTACTS,
  FILE_KINDS,
  FILE_PATTERNS,
  LOCATIONS,
  SENTENCES,
  SUBJECT_PATTERNS,
  TOPICS,
} from "./vocabulary";

/** A person on a message or event. */
export interface Person {
  name: string;
  email: string;
}

/** A mailbox message, provider-neutral (the APIs render Gmail and Graph shapes from it). */
export interface MailMessage {
  id: string;
  threadId: string;
  from: Person;
  to: Person[];
  subject: string;
  /** Plain-text body. */
  body: string;
  snippet: string;
  /** Epoch ms. */
  receivedAt: number;
  unread: boolean;
  starred: boolean;
  labels: string[];
}

export interface CalendarEvent {
  id: string;
  summary: string;
  description: string;
  location: string;
  /** Epoch ms. */
  start: number;
  end: number;
  organizer: Person;
  attendees: Array<Person & { responseStatus: "accepted" | "tentative" | "needsAction" | "declined" }>;
}

export interface DriveFile {
  id: string;
  name: string;
  /** Google-native MIME type. */
  mimeType: string;
  /** Office MIME type (what OneDrive reports). */
  officeMimeType: string;
  /** Name with an Office extension (OneDrive). */
  officeName: string;
  content: string;
  size: number;
  /** Epoch ms. */
  modifiedAt: number;
  createdAt: number;
}

/** Everything the fake APIs serve for one user, newest first where that matters. */
export interface UserData {
  user: TestUser;
  messages: MailMessage[];
  events: CalendarEvent[];
  files: DriveFile[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Message counts: the first user gets 250 for paging tests. */
export function messageCountFor(index: number): number {
  return index === 0 ? 250 : 40;
}

/**
 * Builds a user's mailbox, calendar and drive from `seed` and the user's subject. The content is
 * the same on every run; times are relative to the start of the current UTC day so "today's
 * agenda" always has events.
 */
export function generateUserData(input: {
  user: TestUser;
  index: number;
  seed: number;
  profile: TestIdpProfile;
  now?: number;
}): UserData {
  const rng = createRng(seedFor(input.seed, input.user.subject));
  const now = input.now ?? Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const self: Person = { name: input.user.name, email: input.user.email };

  const messages: MailMessage[] = [];
  let cursor = Math.floor(now / 1000) * 1000 - rng.int(5, 50) * 60_000;
  const threads: string[] = [];
  const count = messageCountFor(input.index);
  for (let i = 0; i < count; i += 1) {
    const topic = rng.pick(TOPICS);
    const from = rng.pick(CONTACTS);
    const subject = rng.pick(SUBJECT_PATTERNS).replace("{topic}", topic);
    const sentences = [rng.pick(SENTENCES), rng.pick(SENTENCES), rng.pick(SENTENCES)];
    const body = `Hi ${self.name.split(" ")[0]},\n\n${sentences.join(" ")}\n\nRegarding the ${topic}.\n\n${from.name}`;
    const id = rng.hex(16);
    const threadId = threads.length > 0 && rng.next() < 0.25 ? rng.pick(threads) : id;
    if (threadId === id) threads.push(id);
    const unread = i < 12 ? rng.next() < 0.7 : rng.next() < 0.08;
    const starred = rng.next() < 0.05;
    messages.push({
      id,
      threadId,
      from: { ...from },
      to: [self],
      subject,
      body,
      snippet: body.replace(/\s+/g, " ").slice(0, 120),
      receivedAt: cursor,
      unread,
      starred,
      labels: [
        "INBOX",
        ...(unread ? ["UNREAD"] : []),
        ...(starred ? ["STARRED"] : []),
        rng.pick(["CATEGORY_PERSONAL", "CATEGORY_UPDATES"]),
      ],
    });
    cursor -= rng.int(1, 9) * HOUR + rng.int(0, 59) * 60_000;
  }

  const events: CalendarEvent[] = [];
  for (let day = -7; day <= 14; day += 1) {
    const dayStart = today + day * DAY;
    const perDay = day === 0 ? 4 : rng.int(1, 3);
    let hour = 8 + rng.int(0, 1);
    for (let n = 0; n < perDay && hour < 18; n += 1) {
      const topic = rng.pick(TOPICS);
      const minutes = rng.pick([30, 30, 45, 60, 60, 90]);
      const start = dayStart + hour * HOUR + rng.pick([0, 0, 30]) * 60_000;
      const others = [rng.pick(CONTACTS), rng.pick(CONTACTS)].filter((c, i, all) => all.indexOf(c) === i);
      events.push({
        id: rng.hex(26),
        summary:
          day === 0 && n === 0
            ? `Daily standup: ${topic}`
            : `${topic[0]!.toUpperCase()}${topic.slice(1)} ${rng.pick(["sync", "review", "1:1", "workshop"])}`,
        description: `${rng.pick(SENTENCES)} Agenda: ${topic}.`,
        location: rng.pick(LOCATIONS),
        start,
        end: start + minutes * 60_000,
        organizer: rng.next() < 0.5 ? self : { ...others[0]! },
        attendees: [self, ...others].map((person, i) => ({
          name: person.name,
          email: person.email,
          responseStatus:
            i === 0 ? "accepted" : rng.pick(["accepted", "tentative", "needsAction", "declined"] as const),
        })),
      });
      hour += rng.int(1, 3);
    }
  }
  events.sort((a, b) => a.start - b.start);

  const files: DriveFile[] = [];
  const fileCount = input.index === 0 ? 36 : 24;
  for (let i = 0; i < fileCount; i += 1) {
    const topic = rng.pick(TOPICS);
    const kind = rng.pick(FILE_KINDS);
    const base = rng.pick(FILE_PATTERNS).replace("{topic}", topic);
    const title = `${base[0]!.toUpperCase()}${base.slice(1)}`;
    const modifiedAt = now - rng.int(1, 90 * 24) * HOUR;
    const content = `${title}. ${rng.pick(SENTENCES)} ${rng.pick(SENTENCES)} Owner: ${self.name}.`;
    files.push({
      id: `1${rng.hex(32)}`,
      name: `${title}${kind.ext}`,
      mimeType: kind.mimeType,
      officeMimeType: kind.officeMime,
      officeName: `${title}${kind.officeExt}`,
      content,
      size: content.length * rng.int(40, 400),
      modifiedAt,
      createdAt: modifiedAt - rng.int(1, 60) * DAY,
    });
  }
  files.sort((a, b) => b.modifiedAt - a.modifiedAt);

  return { user: input.user, messages, events, files };
}
