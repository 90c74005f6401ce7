/** Word lists the seeded mailbox, calendar and drive are built from. */
export const CONTACTS = [
  { name: "Dana Whitfield", email: "dana.whitfield@northwind.test" },
  { name: "Priya Raman", email: "priya.raman@contoso.test" },
  { name: "Marco Bellini", email: "marco@fabrikam.test" },
  { name: "Jonas Berg", email: "jonas.berg@example.test" },
  { name: "Aiko Tanaka", email: "aiko.tanaka@adatum.test" },
  { name: "Samuel Okafor", email: "samuel.okafor@tailspin.test" },
  { name: "Lena Fischer", email: "lena.fischer@wingtip.test" },
  { name: "Billing", email: "billing@acme-invoices.test" },
  { name: "GitHub", email: "noreply@github.test" },
  { name: "Travel Desk", email: "travel@example.test" },
] as const;

export const TOPICS = [
  "Q3 roadmap",
  "budget review",
  "customer onboarding",
  "security audit",
  "hiring plan",
  "launch checklist",
  "vendor contract",
  "offsite logistics",
  "incident postmortem",
  "design review",
  "quarterly report",
  "API migration",
] as const;

export const SUBJECT_PATTERNS = [
  "Re: {topic}",
  "{topic} — next steps",
  "Invoice for {topic}",
  "Quick question about the {topic}",
  "Notes from today's {topic} sync",
  "[Action required] {topic}",
  "Fwd: {topic} draft",
  "Reminder: {topic} due Friday",
] as const;

export const SENTENCES = [
  "Could you take a look before our meeting on Thursday?",
  "I've attached the latest numbers; the totals changed slightly since last week.",
  "Let me know if the timeline still works for your team.",
  "We agreed to revisit this after the customer call.",
  "The draft is in the shared folder, comments welcome.",
  "Please confirm the figures by end of day.",
  "Thanks for pulling this together so quickly.",
  "I think we should loop in legal before signing.",
  "The open items are listed below, in priority order.",
  "Happy to jump on a call if that's easier.",
] as const;

export const LOCATIONS = [
  "Room 4.12",
  "Main boardroom",
  "Video call",
  "Café downstairs",
  "Room 2.03",
] as const;

export const FILE_KINDS = [
  {
    ext: "",
    mimeType: "application/vnd.google-apps.document",
    officeMime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    officeExt: ".docx",
  },
  {
    ext: "",
    mimeType: "application/vnd.google-apps.spreadsheet",
    officeMime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    officeExt: ".xlsx",
  },
  {
    ext: "",
    mimeType: "application/vnd.google-apps.presentation",
    officeMime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    officeExt: ".pptx",
  },
  { ext: ".pdf", mimeType: "application/pdf", officeMime: "application/pdf", officeExt: ".pdf" },
] as const;

export const FILE_PATTERNS = [
  "{topic} notes",
  "{topic} plan",
  "{topic} summary",
  "{topic} — final",
  "Draft {topic}",
  "{topic} figures",
] as const;
