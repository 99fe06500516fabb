import { expect, hydrated } from "./fixtures";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "@playwright/test";

// Users for the tests. Every test makes its own users and groups (the suite runs in
// parallel against one server and one database), so names carry a per-run suffix.

export function unique(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
}

export const PASSWORD = "correct horse battery";

export type User = { username: string; displayName: string };

export function newUser(prefix: string): User {
  const username = unique(prefix);
  return { username, displayName: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${username.slice(prefix.length)}` };
}

/** Console errors and uncaught exceptions of a page opened outside the `page` fixture. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** A second signed-out browser (own cookies, and `options`) with its error collector. */
export async function secondBrowser(
  browser: Browser,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  return { context, page, errors: collectErrors(page) };
}

/** Registers `user` through the form (which lands on /chat); ends signed in on /contacts. */
export async function register(page: Page, user: User, password = PASSWORD) {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Display name").fill(user.displayName);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("tab", { name: "Friends" })).toBeVisible();
  await expect(page.locator(".current-user")).toHaveText(user.displayName);
  await openContacts(page);
}

export async function openContacts(page: Page) {
  await page.goto("/contacts");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Friends", exact: true })).toBeVisible();
}

/** Registers `user` over the API with the page's cookies (faster than the form, for
 * tests whose subject is elsewhere); the page is then signed in. */
export async function registerByApi(page: Page, user: User, password = PASSWORD) {
  const answer = await page.request.post("/api/register", {
    data: { username: user.username, display_name: user.displayName, password },
  });
  expect(answer.ok(), await answer.text()).toBeTruthy();
}
