import { test, expect, hydrated } from "./fixtures";
import type { Page } from "@playwright/test";
import { collectErrors, newUser, PASSWORD, register, secondBrowser, unique, type User } from "./people";
import { befriendByApi, bodies, expectOnline, log, myId, openChatFromContacts, say } from "./chatting";

// The chat page over the real-time socket: live delivery both ways, text never turned
// into HTML, catching up after a page was closed, and a group conversation.

test("two friends chat live, as text, and catch up after a page was closed", async ({
  page,
  browser,
  browserErrors,
}) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const second = await secondBrowser(browser);
  let b = second.page;

  await register(a, alice);
  await register(b, bob);
  await befriendByApi(a, b);

  await openChatFromContacts(a, bob);
  await openChatFromContacts(b, alice);
  const bobChatUrl = b.url();
  await expect(a.getByText("No messages yet: say hello.")).toBeVisible();

  // Alice says hello with markup in it: Bob sees it live, as text.
  await say(a, "hello <b>B</b>");
  await expect(bodies(b)).toHaveText(["hello <b>B</b>"]);
  await expect(log(b).locator("b")).toHaveCount(0);
  await expect(log(b).getByTestId("message")).not.toHaveClass(/own/);
  // On Alice's side it is her own message, sent (not pending).
  await expect(bodies(a)).toHaveText(["hello <b>B</b>"]);
  await expect(log(a).getByTestId("message")).toHaveClass(/own/);
  await expect(a.getByTestId("pending-message")).toHaveCount(0);

  // Shift+Enter adds a line; Enter sends.
  const bobBox = b.getByRole("textbox", { name: "Message" });
  await bobBox.fill("hi Alice");
  await bobBox.press("Shift+Enter");
  await bobBox.pressSequentially("how are you?");
  await expect(bobBox).toHaveValue("hi Alice\nhow are you?");
  await bobBox.press("Enter");
  await expect(bodies(a)).toHaveText(["hello <b>B</b>", "hi Alice\nhow are you?"]);
  await expect(bodies(b)).toHaveText(["hello <b>B</b>", "hi Alice\nhow are you?"]);

  // Bob closes the page; Alice sends two more; Bob comes back and sees each once, in order.
  await b.close();
  await say(a, "first while you were away");
  await say(a, "second while you were away");
  await expect(bodies(a)).toHaveText([
    "hello <b>B</b>",
    "hi Alice\nhow are you?",
    "first while you were away",
    "second while you were away",
  ]);
  b = await second.context.newPage();
  const bobErrors: string[] = [];
  b.on("console", (m) => {
    if (m.type() === "error") bobErrors.push(`console: ${m.text()}`);
  });
  b.on("pageerror", (e) => bobErrors.push(`pageerror: ${e.message}`));
  // This time the chat page is loaded directly (server-rendered, then hydrated).
  await b.goto(bobChatUrl);
  await hydrated(b);
  await expect(b.getByRole("heading", { name: `Chatting with ${alice.displayName}` })).toBeVisible();
  const expected = [
    "hello <b>B</b>",
    "hi Alice\nhow are you?",
    "first while you were away",
    "second while you were away",
  ];
  await expect(bodies(b)).toHaveText(expected);
  // Still exactly once after a moment (history and catch-up overlap).
  await b.waitForTimeout(500);
  await expect(bodies(b)).toHaveText(expected);

  // The open conversation is marked read up to the newest message.
  await expect.poll(async () => (await b.request.get("/api/unread")).json()).toEqual([]);

  // Alice is online for Bob.
  await expect(b.getByTestId("presence")).toHaveText("online");

  expect(browserErrors).toEqual([]);
  expect(second.errors).toEqual([]);
  expect(bobErrors).toEqual([]);
  await second.context.close();
});

test("the socket reconnects and resends after going offline", async ({ page, browser, browserErrors }) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const second = await secondBrowser(browser);
  const b = second.page;
  await register(a, alice);
  await register(b, bob);
  await befriendByApi(a, b);
  await openChatFromContacts(a, bob);
  await openChatFromContacts(b, alice);

  await say(a, "before");
  await expect(bodies(b)).toHaveText(["before"]);

  // Bob goes offline: his socket drops and the page says so; Alice writes meanwhile.
  await second.context.setOffline(true);
  await expect(b.getByTestId("connection")).toHaveText("Reconnecting…");
  await say(a, "one");
  await say(a, "two");
  // Bob writes while offline: pending until the socket is back, then sent once.
  await say(b, "written offline");
  await expect(b.getByTestId("pending-message")).toContainText("Sending…");
  await second.context.setOffline(false);
  await expect(bodies(b)).toHaveText(["before", "one", "two", "written offline"], { timeout: 40_000 });
  await expectOnline(b);
  await expect(b.getByTestId("pending-message")).toHaveCount(0);
  await expect(bodies(a)).toHaveText(["before", "one", "two", "written offline"]);

  expect(browserErrors).toEqual([]);
  expect(second.errors.filter((e) => !e.includes("WebSocket"))).toEqual([]);
  await second.context.close();
});

test("a group message reaches every other member live", async ({ page, browser, browserErrors }) => {
  test.setTimeout(120_000);
  const owner = newUser("olga");
  const p1 = newUser("pavel");
  const p2 = newUser("quinn");
  const o = page;
  const s1 = await secondBrowser(browser);
  const s2 = await secondBrowser(browser);
  await register(o, owner);
  await register(s1.page, p1);
  await register(s2.page, p2);

  // Olga creates a group; the others join with its invite code.
  const groupName = unique("Chat club ");
  const created = await o.request.post("/api/create_group", { data: { name: groupName } });
  expect(created.ok()).toBeTruthy();
  const group = await created.json();
  for (const s of [s1, s2]) {
    const joined = await s.page.request.post("/api/join_group", { data: { invite_code: group.invite_code } });
    expect(joined.ok()).toBeTruthy();
  }

  // Everyone opens the chat from the group page.
  for (const p of [o, s1.page, s2.page]) {
    await p.goto(`/groups/${group.group.id}`);
    await hydrated(p);
    await p.getByRole("link", { name: "Chat", exact: true }).click();
    await expect(p).toHaveURL(new RegExp(`/chat/group/${group.group.id}$`));
    await expect(p.getByRole("heading", { name: groupName })).toBeVisible();
    await expectOnline(p);
  }

  await say(o, "welcome to the club");
  for (const p of [s1.page, s2.page]) {
    await expect(bodies(p)).toHaveText(["welcome to the club"]);
    await expect(log(p).getByTestId("message").locator(".sender")).toHaveText([owner.displayName]);
  }
  await say(s2.page, "thanks!");
  await expect(bodies(o)).toHaveText(["welcome to the club", "thanks!"]);
  await expect(bodies(s1.page)).toHaveText(["welcome to the club", "thanks!"]);

  expect(browserErrors).toEqual([]);
  expect(s1.errors).toEqual([]);
  expect(s2.errors).toEqual([]);
  await s1.context.close();
  await s2.context.close();
});

test("without a WebSocket the page falls back to long polling and chats live", async ({
  page,
  browser,
  browserErrors,
}) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  // Bob is behind a proxy that refuses WebSockets: every `/ws` is closed at once.
  const contextB = await browser.newContext();
  await contextB.routeWebSocket(/\/ws$/, (ws) => ws.close());
  const b = await contextB.newPage();
  const bobErrors = collectErrors(b);

  await register(a, alice);
  await register(b, bob);
  await befriendByApi(a, b);
  await openChatFromContacts(a, bob);
  await openChatFromContacts(b, alice);
  const status = b.getByTestId("connection");
  await expect(status).toHaveAttribute("data-transport", "long-polling");
  await expect(status).toHaveText("");
  await expect(a.getByTestId("connection")).toHaveAttribute("data-transport", "websocket");
  // From now on Bob's status line must stay empty (no "Reconnecting…").
  await b.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { statusSeen: string[] }).statusSeen = seen;
    const line = document.querySelector('[data-testid="connection"]')!;
    new MutationObserver(() => {
      if (line.textContent) seen.push(line.textContent);
    }).observe(line, {
      childList: true,
      characterData: true,
      subtree: true,
    });
  });

  // Alice (WebSocket) to Bob (long polling): live, within a few seconds.
  await say(a, "hello over a poll");
  await expect(bodies(b)).toHaveText(["hello over a poll"], { timeout: 5_000 });
  await expect(log(b).getByTestId("message")).not.toHaveClass(/own/);

  // Bob's reply goes through `send_message` and reaches Alice live.
  await say(b, "reply without a socket");
  await expect(bodies(a)).toHaveText(["hello over a poll", "reply without a socket"], { timeout: 5_000 });
  await expect(bodies(b)).toHaveText(["hello over a poll", "reply without a socket"]);
  await expect(b.getByTestId("pending-message")).toHaveCount(0);
  await expect(log(b).getByTestId("message").last()).toHaveClass(/own/);

  // Two more in a row from Alice, one more from Bob: each exactly once, in order.
  await say(a, "one");
  await say(a, "two");
  await expect(bodies(b)).toHaveText(["hello over a poll", "reply without a socket", "one", "two"], {
    timeout: 5_000,
  });
  await say(b, "three");
  const expected = ["hello over a poll", "reply without a socket", "one", "two", "three"];
  await expect(bodies(a)).toHaveText(expected, { timeout: 5_000 });
  await expect(bodies(b)).toHaveText(expected);
  await b.waitForTimeout(1_000);
  await expect(bodies(a)).toHaveText(expected);
  await expect(bodies(b)).toHaveText(expected);
  await expect(b.getByTestId("pending-message")).toHaveCount(0);

  // Bob's open conversation was marked read over HTTP.
  await expect.poll(async () => (await b.request.get("/api/unread")).json()).toEqual([]);

  // Still polling, and the status line never changed once polling worked.
  await expect(status).toHaveAttribute("data-transport", "long-polling");
  await expect(status).toHaveText("");
  expect(await b.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen)).toEqual([]);

  expect(browserErrors).toEqual([]);
  expect(bobErrors.filter((e) => !/^console: WebSocket connection to '.*\/ws' failed/.test(e))).toEqual([]);
  await contextB.close();
});

test("a user who was signed out sees what they missed after signing in", async ({ page, browser, browserErrors }) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const second = await secondBrowser(browser);
  const b = second.page;
  await register(a, alice);
  await register(b, bob);
  await befriendByApi(a, b);
  await openChatFromContacts(a, bob);
  await openChatFromContacts(b, alice);
  await say(a, "before you left");
  await expect(bodies(b)).toHaveText(["before you left"]);

  // Bob signs out; Alice writes on.
  await b.getByRole("button", { name: "Sign out" }).click();
  await expect(b).toHaveURL(/\/$/);
  await say(a, "while you were away 1");
  await say(a, "while you were away 2");
  await expect(bodies(a)).toHaveText(["before you left", "while you were away 1", "while you were away 2"]);

  // Bob signs in again and finds everything, once, in order.
  await b.goto("/login");
  await hydrated(b);
  await b.getByLabel("Username").fill(bob.username);
  await b.getByLabel("Password").fill(PASSWORD);
  await b.getByRole("button", { name: "Sign in" }).click();
  await expect(b).toHaveURL(/\/chat$/);
  await openChatFromContacts(b, alice);
  await expect(bodies(b)).toHaveText(["before you left", "while you were away 1", "while you were away 2"]);
  await b.waitForTimeout(500);
  await expect(bodies(b)).toHaveCount(3);

  expect(browserErrors).toEqual([]);
  expect(second.errors).toEqual([]);
  await second.context.close();
});
