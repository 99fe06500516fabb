import { expect, hydrated } from "./fixtures";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "@playwright/test";
import { newUser, registerByApi, secondBrowser, type User } from "./people";

// Steps of a chat, shared by the chat specs.

/** The signed-in user's id, from the API (with the page's cookies). */
export async function myId(page: Page): Promise<number> {
  const me = await (await page.request.get("/api/me")).json();
  expect(me).not.toBeNull();
  return me.id as number;
}

export type Person = { user: User; page: Page; errors: string[]; id: number };

/** Browser contexts opened by `person`; `closePeople` (a spec's afterEach) closes them. */
const opened: BrowserContext[] = [];

export async function closePeople() {
  for (const context of opened.splice(0)) await context.close();
}

/** A new user (`who`: a name prefix, or the user itself) in a browser context of their
 * own, registered and signed in over the API (not on any page yet). */
export async function person(
  browser: Browser,
  who: string | User,
  options: BrowserContextOptions = {},
): Promise<Person> {
  const { context, page, errors } = await secondBrowser(browser, options);
  opened.push(context);
  const user = typeof who === "string" ? newUser(who) : who;
  await registerByApi(page, user);
  const id = await myId(page);
  return { user, page, errors, id };
}

/** Opens the chat shell and waits for the socket. */
export async function openShell(page: Page) {
  await page.goto("/chat");
  await hydrated(page);
  await expectOnline(page);
}

/** Joins the group with invite `code` as `page`'s user. */
export async function joinByApi(page: Page, code: string) {
  const joined = await page.request.post("/api/join_group", { data: { invite_code: code } });
  expect(joined.ok()).toBeTruthy();
}

/** `a` asks `b` over the API and `b` accepts. */
export async function befriendByApi(a: Page, b: Page) {
  const bId = await myId(b);
  const sent = await a.request.post("/api/send_friend_request", { data: { user_id: bId } });
  expect(sent.ok()).toBeTruthy();
  const requests = await (await b.request.get("/api/friend_requests")).json();
  expect(requests.incoming).toHaveLength(1);
  const answer = await b.request.post("/api/answer_friend_request", {
    data: { request_id: requests.incoming[0].id, accept: true },
  });
  expect(answer.ok()).toBeTruthy();
}

/** Opens the chat with `friend` from the contacts page's "Chat" link. */
export async function openChatFromContacts(page: Page, friend: User) {
  await page.goto("/contacts");
  await hydrated(page);
  const item = page
    .getByRole("list", { name: "My friends", exact: true })
    .getByRole("listitem")
    .filter({ hasText: `@${friend.username}` });
  await item.getByRole("link", { name: "Chat", exact: true }).click();
  await expect(page).toHaveURL(/\/chat\/direct\/\d+$/);
  await expect(page.getByRole("heading", { name: `Chatting with ${friend.displayName}` })).toBeVisible();
  await expectOnline(page);
}

/** Waits until the socket is up (the status line is empty). */
export async function expectOnline(page: Page) {
  await expect(page.getByTestId("connection")).toHaveText("");
}

export function log(page: Page) {
  return page.getByRole("log", { name: "Messages", exact: true });
}

export function bodies(page: Page) {
  return log(page).getByTestId("message").locator(".body");
}

/** The text of every message body of the open chat, exactly (no whitespace folding). */
export async function exactBodies(page: Page): Promise<string[]> {
  return bodies(page).evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ""));
}

export async function say(page: Page, text: string) {
  const box = page.getByRole("textbox", { name: "Message" });
  await box.fill(text);
  await box.press("Enter");
  await expect(box).toHaveValue("");
}


type To = { kind: "direct"; user_id: number } | { kind: "group"; group_id: number };

/** Stores one message with exactly `body` from `page`'s user to `to` over HTTP
 * (`send_message`). */
export async function sendBodyByApi(page: Page, to: To, body: string) {
  const answer = await page.request.post("/api/send_message", {
    data: { client_id: `e2e-${Math.random().toString(36).slice(2)}`, to, body },
  });
  expect(answer.ok(), await answer.text()).toBeTruthy();
}

/** Stores `count` messages from `page`'s user to `to`, one after the other, with bodies
 * `${prefix} 1` … `${prefix} count`. */
export async function sendByApi(page: Page, to: To, prefix: string, count: number) {
  for (let i = 1; i <= count; i++) await sendBodyByApi(page, to, `${prefix} ${i}`);
}

/** Opens `/chat` and the chat with `name` from the contact panel (Friends tab). */
export async function openChatInPanel(page: Page, name: string, tab = "Friends") {
  if (!/\/chat(\/|$)/.test(new URL(page.url()).pathname)) {
    await page.goto("/chat");
    await hydrated(page);
  }
  await page.getByRole("tab", { name: tab }).click();
  await page.getByRole("tabpanel").getByRole("link", { name: new RegExp(escapeRegExp(name)) }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  await expectOnline(page);
}

/** The panel entry (a list item) of `name` in the current tab. */
export function entry(page: Page, name: string) {
  return page.getByRole("tabpanel").getByTestId("contact").filter({ hasText: name });
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
