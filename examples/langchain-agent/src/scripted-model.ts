import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { fakeModel } from "@langchain/core/testing";

/**
 * A stand-in for a real chat model so the example runs offline: it asks for the user's recent
 * Gmail and their Outlook mail in one turn, then writes an answer from what the tools returned.
 * Swap it for `new ChatOpenAI(...)` (see README) and nothing else changes.
 */
export function createScriptedModel() {
  return fakeModel()
    .respondWithTools([
      { name: "gmail_search", args: { query: "", maxResults: 5 }, id: "call_gmail" },
      { name: "outlook_search", args: { query: "" }, id: "call_outlook" },
    ])
    .respond((messages: BaseMessage[]) => {
      // Tools run in parallel; report Gmail first whatever order they finished in.
      const results = messages
        .filter((message): message is ToolMessage => ToolMessage.isInstance(message))
        .sort((a, b) => Number(a.name !== "gmail_search") - Number(b.name !== "gmail_search"));
      const lines: string[] = [];
      for (const result of results) {
        const content = String(result.content);
        if (content.startsWith("AUTH_REQUIRED")) {
          const link = /https?:\/\/\S+\/connect\/cr_[A-Za-z0-9]+/.exec(content)?.[0];
          lines.push(`Outlook is not connected yet. To include it, open: ${link}`);
        } else if (result.name === "gmail_search") {
          const { messages: mail } = JSON.parse(content) as { messages: { subject: string; from: string }[] };
          lines.push("Your latest Gmail messages:", ...mail.map((m) => `- ${m.subject} — ${m.from}`));
        }
      }
      return new AIMessage(lines.join("\n"));
    });
}
