import { test, expect, hydrated, withoutRefusals } from "./fixtures";
import type { Browser, Locator, Page } from "@playwright/test";
import { PASSWORD, unique, type User } from "./people";
import {
  befriendByApi,
  closePeople,
  exactBodies,
  expectOnline,
  joinByApi,
  log,
  openShell,
  person,
  say,
  sendBodyByApi,
  type Person,
} from "./chatting";

// Injection (#10): hostile display names, group names, descriptions and message bodies
// are stored and shown as text in Chromium (no element, no script, no dialog, no other
// link than http(s)), the layout holds (long words wrap or are cut with an ellipsis,
// right-to-left overrides are isolated), and bytes that are not UTF-8 are refused.

test.afterEach(closePeople);

const DESKTOP = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 780 };
const VIEWPORTS = [DESKTOP, NARROW];

/** U+202E RIGHT-TO-LEFT OVERRIDE: reverses everything after it unless isolated. */
const RLO = "\u202E";

/** Single-line payloads within the name rules (protocol/src/rules.rs: 1 to 64
 * characters, trimmed, no control characters); display names and group names alike. */
const NAMES = [
  `<img src=x onerror=window.__pwned=1>`,
  `<script>window.__pwned=2</script>`,
  `"><svg onload=alert(3)>`,
  `javascript:window.__pwned=4`,
  "W".repeat(64),
  `${RLO}exe.cod שלום مرحبا`,
  "zero\u200Bwidth\u200Djoin\uFEFFbom",
  "👨‍👩‍👧‍👦🇨🇳🇫🇷👍🏽🏳️‍🌈 family",
  "Z\u0335\u0321a\u0334l\u0336g\u0338o e\u0301\u0302\u0303",
];
const RTL_NAME = NAMES.findIndex((name) => name.startsWith(RLO));

/** Multi-line payloads within the description rules (up to 500 characters). */
const DESCRIPTIONS = [
  `<img src=x onerror=window.__pwned=11>\n<script>window.__pwned=12</script>`,
  `"><svg onload=alert(13)> <a href="javascript:window.__pwned=14">click</a>`,
  "javascript:window.__pwned=15",
  "D".repeat(400),
  `${RLO}right to left שלום\nمرحبا بالعالم`,
  "zero\u200B\u200D\uFEFFwidth",
  "👨‍👩‍👧‍👦 🇨🇳 👍🏽",
  "Z\u0335\u0321a\u0334l\u0336g\u0338o",
  "",
];

/** Message bodies, kept exactly as sent (up to 4,000 characters). */
const BODIES = [
  `<img src=x onerror=window.__pwned=21>`,
  `<script>window.__pwned=22</script>`,
  `"><svg onload=alert(23)>`,
  `javascript:window.__pwned=24`,
  `<a href="javascript:window.__pwned=25">click me</a>`,
  `[click](javascript:window.__pwned=26) data:text/html,<script>alert(27)</script>`,
  `see https://example.org/page?a=1 and www.example.com`,
  "L".repeat(4000),
  `${RLO}right to left override שלום עולם مرحبا بالعالم`,
  "zero\u200Bwidth\u200Djoiner\uFEFFbom\u200C",
  "👨‍👩‍👧‍👦 🏳️‍🌈 🇨🇳🇯🇵🇫🇷 👍🏻👍🏿 🧑🏽‍💻",
  "Z\u0335\u0321\u0322a\u0334\u0328l\u0336g\u0338o\u0337 e\u0301\u0302\u0303",
  "  two\n\nlines, spaces kept  ",
];
const LINKS = ["https://example.org/page?a=1", "https://www.example.com"];

/** What the server stores of a name or a description: trimmed (Rust's `trim`, which
 * keeps U+FEFF), CRLF as LF. */
const stored = (text: string) => text.replace(/^[ \n]+|[ \n]+$/g, "").replace(/\r\n/g, "\n");

/** A panel preview of `body`: its first non-blank line, cut at 80 characters. */
function preview(body: string): string {
  const line = body.split("\n").find((l) => l.trim() !== "") ?? "";
  const chars = Array.from(line);
  return chars.length > 80 ? `${chars.slice(0, 80).join("")}…` : line;
}

/** Every dialog `page` opens (none may: payloads call `alert`). */
function dialogs(page: Page): string[] {
  const opened: string[] = [];
  page.on("dialog", (dialog) => {
    opened.push(dialog.message());
    void dialog.dismiss();
  });
  return opened;
}

/** The exact text of each element of `locator` (no whitespace folding, no trimming). */
function texts(locator: Locator): Promise<string[]> {
  return locator.evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ""));
}

/** No payload became an element, an attribute, a script or a link. */
async function expectNothingInjected(page: Page) {
  const found = await page.evaluate(() => {
    const all = [...document.querySelectorAll("*")];
    return {
      pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
      elements: [...document.querySelectorAll("img[src=x], svg, iframe, b, i")].map((e) => e.outerHTML),
      handlers: all.flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => a.name)),
      scripts: [
        ...document.querySelectorAll(
          "[role=log] script, .contact-list script, .people script, .groups script, h1 script, .description script",
        ),
      ].length,
      links: [...document.querySelectorAll("a[href]")]
        .map((a) => a.getAttribute("href")!)
        .filter((href) => !/^(https?:\/\/|\/(?!\/))/.test(href)),
    };
  });
  expect(found).toEqual({ pwned: null, elements: [], handlers: [], scripts: 0, links: [] });
}

/** Nothing is wider than the window, and each of `items` lies inside its closest
 * `container`: its text where it shows overflow (long words must wrap), its box where it
 * clips (a single-line name cut with an ellipsis). */
async function expectInside(page: Page, items: Locator, container: string) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(
    true,
  );
  const outside = await items.evaluateAll(
    (nodes, container) =>
      nodes.flatMap((node) => {
        const content = document.createRange();
        content.selectNodeContents(node);
        const clips = getComputedStyle(node).overflowX !== "visible";
        const box = clips ? node.getBoundingClientRect() : content.getBoundingClientRect();
        const outer = node.parentElement!.closest(container)!.getBoundingClientRect();
        return box.left < outer.left - 1 || box.right > outer.right + 1
          ? [`${(node.textContent ?? "").slice(0, 40)}: ${box.left}–${box.right} outside ${outer.left}–${outer.right}`]
          : [];
      }),
    container,
  );
  expect(outside).toEqual([]);
}

/** The last text node of each of `items` reads left to right (a U+202E before it, not
 * isolated, would reverse it) and starts right of everything before it in its line;
 * measured from its first to its last letter or digit. */
async function expectTailReadsLeftToRight(items: Locator) {
  const reversed = await items.evaluateAll((nodes) =>
    nodes.flatMap((node) => {
      const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
      const textNodes: Text[] = [];
      while (walker.nextNode()) textNodes.push(walker.currentNode as Text);
      const tail = textNodes.filter((t) => /[\p{L}\p{N}]/u.test(t.data)).pop();
      if (!tail) return ["no text"];
      const at = (text: Text, offset: number) => {
        const range = document.createRange();
        range.setStart(text, offset);
        range.setEnd(text, offset + 1);
        return range.getBoundingClientRect();
      };
      const letters = [...tail.data.matchAll(/[\p{L}\p{N}]/gu)].map((m) => m.index!);
      const [start, end] = [letters[0], letters[letters.length - 1]];
      const [first, last] = [at(tail, start), at(tail, end)];
      const head = document.createRange();
      head.setStart(node, 0);
      head.setEnd(tail, 0);
      const before = [...head.getClientRects()].filter(
        (r) => r.width > 0 && r.top < first.bottom && r.bottom > first.top,
      );
      const ok = first.left < last.left && before.every((r) => r.right <= first.left + 1);
      return ok ? [] : [`${tail.data.slice(0, 30)} reversed or displaced`];
    }),
  );
  expect(reversed).toEqual([]);
}

/** `list` (of `UserName` rows) shows exactly `names`, each inside its row, the
 * `@username` after the name reading left to right. */
async function expectUsers(page: Page, list: Locator, names: string[]) {
  const rows = list.getByRole("listitem");
  await expect(rows).toHaveCount(names.length);
  expect((await texts(rows.locator(".display-name"))).sort()).toEqual([...names].sort());
  await expectTailReadsLeftToRight(rows.locator(".user-name"));
  await expectInside(page, rows.locator(".user-name"), "li");
}

type Watched = Person & { dialogs: string[] };

/** A signed-in user whose dialogs are recorded. */
async function watched(who: Person): Promise<Watched> {
  return { ...who, dialogs: dialogs(who.page) };
}

/** Bob, who looks at it all, starting on a desktop-sized window. */
async function viewer(browser: Browser): Promise<Watched> {
  return watched(await person(browser, "bob", { viewport: DESKTOP }));
}

/** No dialog opened and nothing went wrong in the pages of `people`, but for answers
 * with the `refused` statuses. */
function expectNoTrouble(people: Watched[], ...refused: number[]) {
  for (const who of people) {
    expect(who.dialogs).toEqual([]);
    expect(withoutRefusals(who.errors, ...refused)).toEqual([]);
  }
}

test("hostile display names are text in the panel, requests, search, titles, member lists and sender names", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const bob = await viewer(browser);
  const b = bob.page;
  const run = unique("inj");
  const hostile = await Promise.all(
    NAMES.map((displayName, i) => person(browser, { username: `${run}${i}`, displayName }).then(watched)),
  );
  for (const h of hostile) {
    const asked = await h.page.request.post("/api/send_friend_request", { data: { user_id: bob.id } });
    expect(asked.ok(), await asked.text()).toBeTruthy();
  }
  const sorted = [...NAMES].sort();

  // Friend requests: in the panel and on the contacts page; search results.
  for (const viewport of VIEWPORTS) {
    await b.setViewportSize(viewport);
    await openShell(b);
    const requests = b.locator(".panel-requests .request");
    await expect(requests).toHaveCount(NAMES.length);
    expect((await texts(requests.locator(".contact-name"))).sort()).toEqual(sorted);
    await expectInside(b, requests.locator(".contact-name"), ".request");
    await expectNothingInjected(b);

    await b.goto("/contacts");
    await hydrated(b);
    await expectUsers(b, b.getByRole("list", { name: "Received", exact: true }), NAMES);
    await b.getByRole("searchbox", { name: "Username or display name" }).fill(run);
    await b.getByRole("button", { name: "Search", exact: true }).click();
    await expectUsers(b, b.getByRole("list", { name: "Search results" }), NAMES);
    await expectNothingInjected(b);
  }

  // Friends, and members of one group, each with a message in it (the RTL one last).
  const requests = await (await b.request.get("/api/friend_requests")).json();
  for (const request of requests.incoming) {
    const answer = await b.request.post("/api/answer_friend_request", {
      data: { request_id: request.id, accept: true },
    });
    expect(answer.ok()).toBeTruthy();
  }
  const created = await (await b.request.post("/api/create_group", { data: { name: unique("Names ") } })).json();
  const group = { kind: "group" as const, group_id: created.group.id };
  const senders = [...hostile.filter((_, i) => i !== RTL_NAME), hostile[RTL_NAME]];
  for (const h of senders) {
    await joinByApi(h.page, created.invite_code);
    await sendBodyByApi(h.page, group, "last words");
  }

  for (const viewport of VIEWPORTS) {
    await b.setViewportSize(viewport);
    await b.goto("/contacts");
    await hydrated(b);
    await expectUsers(b, b.getByRole("list", { name: "My friends", exact: true }), NAMES);

    await b.goto(`/groups/${created.group.id}`);
    await hydrated(b);
    await expectUsers(b, b.getByRole("list", { name: "Members", exact: true }), [...NAMES, bob.user.displayName]);
    await expectNothingInjected(b);

    // The panel: every name, each entry inside the panel; the group's preview names
    // the RTL sender without reversing the message.
    await openShell(b);
    const panel = b.getByRole("tabpanel");
    await expect(panel.getByTestId("contact")).toHaveCount(NAMES.length);
    expect((await texts(panel.locator(".contact-name"))).sort()).toEqual(sorted);
    await expectInside(b, panel.locator(".contact-name"), ".contact-link");
    await b.getByRole("tab", { name: "Groups" }).click();
    const groupPreview = panel.getByTestId("preview");
    await expect.poll(() => texts(groupPreview)).toEqual([`${NAMES[RTL_NAME]}: last words`]);
    await expectTailReadsLeftToRight(groupPreview);
    await expectNothingInjected(b);

    // The group chat names every sender.
    await panel.locator(`a[href="/chat/group/${created.group.id}"]`).click();
    await expectOnline(b);
    await expect(log(b).getByTestId("message")).toHaveCount(NAMES.length);
    await expect
      .poll(() => texts(log(b).locator(".sender")))
      .toEqual(senders.map((h) => h.user.displayName));
    await expectInside(b, log(b).locator(".sender"), ".message");
    await expectInside(b, log(b).getByTestId("message"), "[role=log]");
    await expectNothingInjected(b);

    // Each chat's title.
    for (const h of hostile) {
      if (viewport === NARROW) await b.getByRole("link", { name: "Back", exact: true }).click();
      await b.getByRole("tab", { name: "Friends" }).click();
      await panel.locator(`a[href="/chat/direct/${h.id}"]`).click();
      const heading = b.getByRole("heading", { level: 1 });
      await expect.poll(() => texts(heading)).toEqual([`Chatting with ${h.user.displayName}`]);
      await expectInside(b, heading, ".chat-header");
    }
    await expectNothingInjected(b);
  }

  // The RTL name does not reverse the words after it: the Chinese title ("正在跟 X 聊天")
  // and the typing line ("X is typing…").
  const rtl = hostile[RTL_NAME];
  await b.setViewportSize(DESKTOP);
  await openShell(b);
  await b.getByRole("tabpanel").locator(`a[href="/chat/direct/${rtl.id}"]`).click();
  await expectOnline(b);
  await b.locator(".language-switch").click();
  const heading = b.getByRole("heading", { level: 1 });
  await expect.poll(() => texts(heading)).toEqual([`正在跟 ${NAMES[RTL_NAME]} 聊天`]);
  await expectTailReadsLeftToRight(heading);
  await b.locator(".language-switch").click();
  await openShell(rtl.page);
  await rtl.page.getByRole("tabpanel").locator(`a[href="/chat/direct/${bob.id}"]`).click();
  await expectOnline(rtl.page);
  await rtl.page.getByRole("textbox", { name: "Message" }).pressSequentially("hello");
  const typing = b.locator(".typing");
  await expect.poll(() => texts(typing)).toEqual([`${NAMES[RTL_NAME]} is typing…`]);
  await expectTailReadsLeftToRight(typing);

  expectNoTrouble([bob, rtl]);
});

test("hostile group names and descriptions are text in the panel, the chat title, the group page and the list", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const bob = await viewer(browser);
  const b = bob.page;
  const groups: { id: number; name: string; description: string }[] = [];
  for (const [i, name] of NAMES.entries()) {
    const answer = await b.request.post("/api/create_group", { data: { name, description: DESCRIPTIONS[i] } });
    expect(answer.ok(), await answer.text()).toBeTruthy();
    const created = (await answer.json()).group;
    expect([created.name, created.description]).toEqual([stored(name), stored(DESCRIPTIONS[i])]);
    groups.push(created);
  }
  const sorted = groups.map((g) => g.name).sort();

  for (const viewport of VIEWPORTS) {
    await b.setViewportSize(viewport);
    await b.goto("/contacts");
    await hydrated(b);
    const list = b.getByRole("list", { name: "My groups" }).getByRole("listitem");
    await expect(list).toHaveCount(groups.length);
    expect((await texts(list.getByRole("link"))).sort()).toEqual(sorted);
    await expectInside(b, list.getByRole("link"), "li");
    await expectTailReadsLeftToRight(list.locator(".meta"));
    await expectNothingInjected(b);

    await openShell(b);
    await b.getByRole("tab", { name: "Groups" }).click();
    const panel = b.getByRole("tabpanel");
    await expect(panel.getByTestId("contact")).toHaveCount(groups.length);
    expect((await texts(panel.locator(".contact-name"))).sort()).toEqual(sorted);
    await expectInside(b, panel.locator(".contact-name"), ".contact-link");
    await expectNothingInjected(b);

    for (const group of groups) {
      if (viewport === NARROW && new URL(b.url()).pathname !== "/chat") {
        await b.getByRole("link", { name: "Back", exact: true }).click();
      }
      await b.getByRole("tab", { name: "Groups" }).click();
      await panel.locator(`a[href="/chat/group/${group.id}"]`).click();
      const heading = b.getByRole("heading", { level: 1 });
      await expect.poll(() => texts(heading)).toEqual([group.name]);
      await expectInside(b, heading, ".chat-header");
      await expectTailReadsLeftToRight(b.getByTestId("member-count"));
    }
    await expectNothingInjected(b);

    for (const group of groups) {
      await b.goto(`/groups/${group.id}`);
      await hydrated(b);
      const heading = b.locator("#group-heading");
      await expect.poll(() => texts(heading)).toEqual([group.name]);
      await expectInside(b, heading, ".card");
      const description = b.locator(".group .description");
      if (group.description === "") {
        await expect(description).toHaveCount(0);
      } else {
        expect(await texts(description)).toEqual([group.description]);
        await expectInside(b, description, ".card");
      }
      await expectTailReadsLeftToRight(b.getByTestId("member-count"));
      await expectNothingInjected(b);
    }
  }
  expectNoTrouble([bob]);
});

test("hostile message bodies are text in 1:1 and group chats and their previews, links are http(s) only", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const alice = await watched(await person(browser, "alice"));
  const bob = await viewer(browser);
  const b = bob.page;
  await befriendByApi(alice.page, b);
  const created = await (await alice.page.request.post("/api/create_group", { data: { name: unique("Bodies ") } })).json();
  await joinByApi(b, created.invite_code);
  const direct = { kind: "direct" as const, user_id: bob.id };
  const group = { kind: "group" as const, group_id: created.group.id };

  // Each body as it arrives, in the panel's preview.
  await openShell(b);
  const panel = b.getByRole("tabpanel");
  const entryOf = (href: string) => panel.getByTestId("contact").filter({ has: b.locator(`a[href="${href}"]`) });
  for (const [tab, to, href, who] of [
    ["Friends", direct, `/chat/direct/${alice.id}`, ""],
    ["Groups", group, `/chat/group/${created.group.id}`, `${alice.user.displayName}: `],
  ] as const) {
    await b.getByRole("tab", { name: tab }).click();
    const shown = entryOf(href).getByTestId("preview");
    for (const body of BODIES) {
      await sendBodyByApi(alice.page, to, body);
      await expect.poll(() => texts(shown)).toEqual([`${who}${preview(body)}`]);
      await expectInside(b, shown, ".contact-link");
      await expectNothingInjected(b);
    }
  }

  // Bob answers over the socket (the composer) with two of them.
  const typed = [BODIES[0], BODIES[8]];
  await b.getByRole("tab", { name: "Friends" }).click();
  await entryOf(`/chat/direct/${alice.id}`).getByRole("link").click();
  await expectOnline(b);
  for (const body of typed) await say(b, body);
  await expect(b.getByTestId("pending-message")).toHaveCount(0);

  for (const [href, expected] of [
    [`/chat/direct/${alice.id}`, [...BODIES, ...typed]],
    [`/chat/group/${created.group.id}`, BODIES],
  ] as const) {
    for (const viewport of VIEWPORTS) {
      await b.setViewportSize(viewport);
      await openShell(b);
      await b.getByRole("tab", { name: href.includes("group") ? "Groups" : "Friends" }).click();
      await entryOf(href).getByRole("link").click();
      await expectOnline(b);
      await expect.poll(() => exactBodies(b)).toEqual(expected);
      const links = log(b).locator("a");
      expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")))).toEqual(LINKS);
      expect(await links.evaluateAll((as) => as.map((a) => [a.getAttribute("target"), a.getAttribute("rel")]))).toEqual(
        LINKS.map(() => ["_blank", "noopener noreferrer nofollow"]),
      );
      await expectNothingInjected(b);
      const messages = log(b).getByTestId("message");
      await expectInside(b, messages, "[role=log]");
      await expectInside(b, messages.locator(".body"), ".message");
      // The override stays inside its bubble: the time is still on the bubble's right,
      // below the text.
      for (const message of await messages.filter({ hasText: "right to left override" }).all()) {
        const [bubble, body, time] = await Promise.all(
          [message, message.locator(".body"), message.locator("time")].map((l) => l.boundingBox()),
        );
        expect(bubble && body && time).toBeTruthy();
        expect(time!.x).toBeGreaterThan(bubble!.x + bubble!.width / 2);
        expect(time!.x + time!.width).toBeLessThanOrEqual(bubble!.x + bubble!.width);
        expect(time!.y).toBeGreaterThanOrEqual(body!.y + body!.height - 1);
        await expectTailReadsLeftToRight(message.locator("time"));
      }
    }
  }
  await b.setViewportSize(DESKTOP);

  // Alice reads Bob's two exactly as typed.
  await openShell(alice.page);
  await alice.page.getByRole("tabpanel").locator(`a[href="/chat/direct/${bob.id}"]`).click();
  await expect.poll(async () => (await exactBodies(alice.page)).slice(-2)).toEqual(typed);
  await expectNothingInjected(alice.page);

  expectNoTrouble([alice, bob]);
});

test("bytes that are not UTF-8 and lone surrogates are refused with 400 and store nothing", async ({
  browser,
  request,
}) => {
  test.setTimeout(90_000);
  const alice = await watched(await person(browser, "alice"));
  const bob = await watched(await person(browser, "bob"));
  const a = alice.page;
  await befriendByApi(a, bob.page);
  const created = await (await a.request.post("/api/create_group", { data: { name: unique("Bytes ") } })).json();
  await sendBodyByApi(a, { kind: "direct", user_id: bob.id }, "before");
  const state = async () => ({
    conversations: await (await a.request.get("/api/conversations")).json(),
    groups: await (await a.request.get("/api/my_groups")).json(),
    bobsConversations: await (await bob.page.request.get("/api/conversations")).json(),
  });
  const before = await state();

  // JSON around a hole: `hole` is raw bytes (not UTF-8) or a JSON escape (a surrogate).
  const json = (prefix: string, hole: Buffer | string, suffix: string) =>
    Buffer.concat([Buffer.from(prefix), typeof hole === "string" ? Buffer.from(hole) : hole, Buffer.from(suffix)]);
  const send = (hole: Buffer | string) =>
    json(`{"client_id":"e2e-bytes","to":{"kind":"direct","user_id":${bob.id}},"body":"ok `, hole, ` ok"}`);
  const holes: (Buffer | string)[] = [
    Buffer.from([0xff]),
    Buffer.from([0xc3, 0x28]), // a lead byte with no continuation
    Buffer.from([0xed, 0xa0, 0x80]), // U+D800 encoded as UTF-8
    Buffer.from([0xc0, 0xaf]), // an overlong "/"
    Buffer.from([0xe2, 0x82]), // cut short
    Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), // five bytes
    "\\ud800",
    "\\udfff",
    "\\ud800\\u0041",
  ];
  const cases: [string, Buffer][] = [
    ...holes.map((hole) => ["send_message", send(hole)] as [string, Buffer]),
    ...holes.map((hole) => ["create_group", json(`{"name":"bad `, hole, ` group"}`)] as [string, Buffer]),
    ["create_group", json(`{"name":"fine","description":"`, Buffer.from([0xfe, 0xff]), `"}`)],
    ["create_group", json(`{"name":"fine","description":"`, "\\udbff", `"}`)],
  ];
  const refused = { code: "bad_request", message: "The request was not understood. Please try again." };
  for (const [endpoint, body] of cases) {
    const answer = await a.request.post(`/api/${endpoint}`, {
      headers: { "content-type": "application/json" },
      data: body,
    });
    expect(answer.status(), `${endpoint} ${body.toString("latin1")}`).toBe(400);
    expect(answer.headers()["content-type"]).toContain("application/json");
    expect(await answer.json()).toEqual(refused);
  }
  // Registering with such a display name creates no account.
  const stranger: User = { username: unique("bytes"), displayName: "" };
  for (const hole of [Buffer.from([0xff, 0xfe]), "\\udc00"]) {
    const reply = await request.post("/api/register", {
      headers: { "content-type": "application/json" },
      data: json(`{"username":"${stranger.username}","password":"${PASSWORD}","display_name":"x `, hole, `"}`),
    });
    expect({ status: reply.status(), body: await reply.json() }).toEqual({ status: 400, body: refused });
  }
  const search = await (await a.request.get(`/api/search_users?query=${stranger.username}`)).json();
  expect(search).toEqual([]);

  // The browser's own fetch with such a body: refused the same way.
  await openShell(a);
  const fromPage = await a.evaluate(
    async ([to]) => {
      const prefix = new TextEncoder().encode(`{"client_id":"e2e-page","to":${to},"body":"`);
      const body = new Uint8Array([...prefix, 0xff, 0x22, 0x7d]);
      const reply = await fetch("/api/send_message", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      return { status: reply.status, body: await reply.json() };
    },
    [JSON.stringify({ kind: "group", group_id: created.group.id })],
  );
  expect(fromPage).toEqual({ status: 400, body: refused });

  // Nothing was stored, and the page still works: the chat opens and a message goes
  // through.
  expect(await state()).toEqual(before);
  await a.getByRole("tabpanel").locator(`a[href="/chat/direct/${bob.id}"]`).click();
  await expectOnline(a);
  await expect.poll(() => exactBodies(a)).toEqual(["before"]);
  await say(a, "after");
  await openShell(bob.page);
  await bob.page.getByRole("tabpanel").locator(`a[href="/chat/direct/${alice.id}"]`).click();
  await expect.poll(() => exactBodies(bob.page)).toEqual(["before", "after"]);
  await a.getByRole("tab", { name: "Groups" }).click();
  await expect(a.getByRole("tabpanel").getByTestId("contact")).toHaveCount(1);

  expectNoTrouble([alice], 400);
  expectNoTrouble([bob]);
});
