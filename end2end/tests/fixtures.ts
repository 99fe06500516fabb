import { test as base, expect, type Page } from "@playwright/test";
import { readFile } from "node:fs/promises";

/** Every console error and uncaught exception of the page, collected for the whole test. */
export const test = base.extend<{ browserErrors: string[] }>({
  browserErrors: async ({ page }, use) => {
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    await use(errors);
  },
});

export { expect };

/** Waits until the wasm app has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/**
 * The browser logs every non-2xx answer as a console error; a test that provokes a
 * refusal on purpose drops exactly those (by status) and keeps every other error.
 */
export function withoutRefusals(errors: string[], ...statuses: number[]): string[] {
  return errors.filter(
    (error) =>
      !statuses.some(
        (status) =>
          error === `console: Failed to load resource: the server responded with a status of ${status} (${statusText[status]})`,
      ),
  );
}

const statusText: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  429: "Too Many Requests",
};

/** A unique e-mail address for this run (the suite runs in parallel on one server). */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}@example.org`;
}

type Mail = { to: string; subject: string; code: string };

const OUTBOX_MARKER = "==== DEVELOPMENT OUTBOX: NOT SENT";

/** Every mail of the server's development outbox (scripts/e2e.sh sets PENGUIN_DEV_OUTBOX). */
async function outbox(): Promise<Mail[]> {
  const path = process.env.PENGUIN_DEV_OUTBOX;
  if (!path) throw new Error("PENGUIN_DEV_OUTBOX is not set: run the suite with scripts/e2e.sh");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return text
    .split(OUTBOX_MARKER)
    .slice(1)
    .flatMap((entry) => {
      const to = /^To: (.*)$/m.exec(entry)?.[1]?.trim();
      const subject = /^Subject: (.*)$/m.exec(entry)?.[1]?.trim();
      const code = subject && /(\d{6})\s*$/.exec(subject)?.[1];
      return to && subject && code ? [{ to, subject, code }] : [];
    });
}

/** How many mails went to `address` so far. */
export async function mailCount(address: string): Promise<number> {
  return (await outbox()).filter((mail) => mail.to === address.toLowerCase()).length;
}

/**
 * The code of the newest mail to `address`, waiting until more than `after` mails went
 * there (pass the count from before asking for a new code to get the new one).
 */
export async function newestCode(address: string, after = 0, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mails = (await outbox()).filter((mail) => mail.to === address.toLowerCase());
    if (mails.length > after) return mails[mails.length - 1].code;
    if (Date.now() > deadline) {
      throw new Error(`no mail #${after + 1} to ${address} in the development outbox within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
