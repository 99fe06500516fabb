import { test, expect, hydrated, withoutRefusals } from "./fixtures";
import type { Page } from "@playwright/test";
import { collectErrors, newUser, openContacts, register, secondBrowser, unique, type User } from "./people";

// The friend and group actions of the contacts and group pages that accounts.spec.ts
// does not click: declining, cancelling, removing, blocking and unblocking friends;
// appointing and demoting admins, handing over a group, removing a member, leaving
// and disbanding.

async function reload(page: Page) {
  await page.reload();
  await hydrated(page);
}

/** The list named `name` ("My friends", "Received", "Sent", "Blocked users", …). */
function list(page: Page, name: string) {
  return page.getByRole("list", { name, exact: true });
}

/** The entry of `user` in the list named `name`. */
function entry(page: Page, name: string, user: User) {
  return list(page, name).getByRole("listitem").filter({ hasText: `@${user.username}` });
}

/** A button whose accessible name is `verb` and the display name it acts on. */
function action(scope: Page | ReturnType<Page["locator"]>, verb: string, user: User) {
  return scope.getByRole("button", { name: `${verb} ${user.displayName}`, exact: true });
}

/** Waits (it is a web-first assertion) until the list shows only its "nothing here" line. */
async function expectEmpty(page: Page, name: string, emptyText: string) {
  await expect(list(page, name).getByRole("listitem")).toHaveText([emptyText]);
}

/** Accepts the next window.confirm of `page`; resolves to the question it asked. */
function acceptNextDialog(page: Page): Promise<string> {
  return new Promise((resolve) => {
    page.once("dialog", async (dialog) => {
      const message = dialog.message();
      expect(dialog.type()).toBe("confirm");
      await dialog.accept();
      resolve(message);
    });
  });
}

async function search(page: Page, text: string) {
  await page.getByRole("searchbox", { name: "Username or display name" }).fill(text);
  await page.getByRole("button", { name: "Search", exact: true }).click();
}

/** On the contacts page of `page`: finds `to` and asks them to be friends. */
async function sendRequest(page: Page, to: User) {
  await search(page, to.username);
  const result = entry(page, "Search results", to);
  await expect(result).toContainText(to.displayName);
  await action(result, "Add friend", to).click();
  await expect(result).toContainText("Request sent");
  await expect(entry(page, "Sent", to)).toBeVisible();
}

/** `a` asks `b` (from the contacts page of `aPage`); `b` accepts on a freshly opened contacts page. */
async function befriend(aPage: Page, b: User, bPage: Page, a: User) {
  await sendRequest(aPage, b);
  await openContacts(bPage);
  const request = entry(bPage, "Received", a);
  await expect(request).toContainText(a.displayName);
  await action(request, "Accept", a).click();
  await expect(entry(bPage, "My friends", a)).toBeVisible();
  await expectEmpty(bPage, "Received", "None.");
}

const NO_FRIENDS = "No friends yet: find people above.";
const NO_GROUPS = "You are not in any group yet.";

test("a declined friend request and a cancelled one leave no trace", async ({ page, browser, browserErrors }) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const bobBrowser = await secondBrowser(browser);
  const b = bobBrowser.page;
  await register(a, alice);
  await register(b, bob);

  // Alice asks, Bob declines.
  await sendRequest(a, bob);
  await openContacts(b);
  const request = entry(b, "Received", alice);
  await expect(request).toContainText(alice.displayName);
  await action(request, "Decline", alice).click();
  await expectEmpty(b, "Received", "None.");
  await expectEmpty(b, "My friends", NO_FRIENDS);

  // After a fresh server render Alice's request is gone and they are not friends.
  await reload(a);
  await expectEmpty(a, "Sent", "None.");
  await expectEmpty(a, "My friends", NO_FRIENDS);
  await reload(b);
  await expectEmpty(b, "Received", "None.");
  await expectEmpty(b, "My friends", NO_FRIENDS);
  // To Bob, Alice is nobody in particular again.
  await search(b, alice.username);
  await expect(action(entry(b, "Search results", alice), "Add friend", alice)).toBeVisible();

  // Alice asks again and takes it back.
  await sendRequest(a, bob);
  await reload(b);
  await expect(entry(b, "Received", alice)).toContainText(alice.displayName);
  await action(entry(a, "Sent", bob), "Cancel request", bob).click();
  await expectEmpty(a, "Sent", "None.");
  // The search result was refreshed with the lists.
  await expect(action(entry(a, "Search results", bob), "Add friend", bob)).toBeVisible();

  await reload(b);
  await expectEmpty(b, "Received", "None.");
  await expectEmpty(b, "My friends", NO_FRIENDS);
  await reload(a);
  await expectEmpty(a, "Sent", "None.");
  await expectEmpty(a, "My friends", NO_FRIENDS);

  expect(browserErrors).toEqual([]);
  expect(bobBrowser.errors).toEqual([]);
  await bobBrowser.context.close();
});

test("removing a friend, blocking and unblocking", async ({ page, browser, browserErrors }) => {
  test.setTimeout(150_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const bobBrowser = await secondBrowser(browser);
  const b = bobBrowser.page;
  await register(a, alice);
  await register(b, bob);
  await befriend(a, bob, b, alice);
  await reload(a);
  await expect(entry(a, "My friends", bob)).toContainText(bob.displayName);

  // Alice removes Bob (after confirming).
  let asked = acceptNextDialog(a);
  await action(entry(a, "My friends", bob), "Remove", bob).click();
  expect(await asked).toBe("Remove this friend?");
  await expectEmpty(a, "My friends", NO_FRIENDS);
  await reload(a);
  await expectEmpty(a, "My friends", NO_FRIENDS);
  await reload(b);
  await expectEmpty(b, "My friends", NO_FRIENDS);

  // A second tab of Bob's finds Alice while they are not friends, and stays open.
  const staleTab = await bobBrowser.context.newPage();
  const staleTabErrors = collectErrors(staleTab);
  await openContacts(staleTab);
  await search(staleTab, alice.username);
  const staleAddFriend = action(entry(staleTab, "Search results", alice), "Add friend", alice);
  await expect(staleAddFriend).toBeVisible();

  // They become friends again; then Alice blocks Bob.
  await befriend(a, bob, b, alice);
  await reload(a);
  await expect(entry(a, "My friends", bob)).toBeVisible();
  await expectEmpty(a, "Blocked users", "Nobody is blocked.");
  asked = acceptNextDialog(a);
  await action(entry(a, "My friends", bob), "Block", bob).click();
  expect(await asked).toBe("Block this user? They will no longer be your friend and cannot reach you.");
  await expectEmpty(a, "My friends", NO_FRIENDS);
  await expect(entry(a, "Blocked users", bob)).toContainText(bob.displayName);
  await reload(a);
  await expectEmpty(a, "My friends", NO_FRIENDS);
  await expect(list(a, "Blocked users").getByRole("listitem")).toHaveCount(1);
  await expect(entry(a, "Blocked users", bob)).toContainText(bob.displayName);
  // Alice still finds Bob, marked as blocked, with nothing to click.
  await search(a, bob.username);
  const bobForAlice = entry(a, "Search results", bob);
  await expect(bobForAlice).toContainText("Blocked");
  await expect(bobForAlice.getByRole("button")).toHaveCount(0);

  // Bob lost the friend, and his search no longer finds Alice.
  await reload(b);
  await expectEmpty(b, "My friends", NO_FRIENDS);
  await search(b, alice.username);
  await expect(b.getByText("Nobody found.")).toBeVisible();
  await expect(list(b, "Search results")).toHaveCount(0);

  // Bob's old tab still offers "Add friend": the server refuses, and the tab catches up.
  await staleAddFriend.click();
  await expect(staleTab.getByRole("alert")).toHaveText("This user cannot be reached: one of you has blocked the other.");
  await expect(staleTab.getByText("Nobody found.")).toBeVisible();
  await expectEmpty(staleTab, "Sent", "None.");
  await reload(a);
  await expectEmpty(a, "Received", "None.");

  // Alice unblocks Bob: he can find her and ask again.
  await action(entry(a, "Blocked users", bob), "Unblock", bob).click();
  await expectEmpty(a, "Blocked users", "Nobody is blocked.");
  await reload(a);
  await expectEmpty(a, "Blocked users", "Nobody is blocked.");
  await expectEmpty(a, "My friends", NO_FRIENDS);
  await search(b, alice.username);
  await expect(action(entry(b, "Search results", alice), "Add friend", alice)).toBeVisible();

  expect(browserErrors).toEqual([]);
  expect(bobBrowser.errors).toEqual([]);
  expect(withoutRefusals(staleTabErrors, 403)).toEqual([]);
  expect(staleTabErrors.length).toBeGreaterThan(0); // the refusal itself was logged
  await bobBrowser.context.close();
});

type Group = { name: string; url: string; inviteCode: string };

/** On the contacts page of `page`: creates a group and opens its page. */
async function createGroup(page: Page, prefix: string): Promise<Group> {
  const name = unique(`${prefix} `);
  await page.getByLabel("Group name").fill(name);
  await page.getByRole("button", { name: "Create group" }).click();
  const link = page.getByRole("link", { name, exact: true });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page).toHaveURL(/\/groups\/\d+$/);
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  const inviteCode = (await page.getByTestId("invite-code").textContent())?.trim() ?? "";
  expect(inviteCode).not.toBe("");
  return { name, url: page.url(), inviteCode };
}

/** On the contacts page of `page`: joins with the code. */
async function joinGroup(page: Page, group: Group) {
  await page.getByRole("textbox", { name: "Invite code" }).fill(group.inviteCode);
  await page.getByRole("button", { name: "Join", exact: true }).click();
  await expect(groupItem(page, group)).toContainText("Members: 2 / 200");
}

function groupItem(page: Page, group: Group) {
  return list(page, "My groups").getByRole("listitem").filter({ hasText: group.name });
}

function members(page: Page) {
  return list(page, "Members").getByRole("listitem");
}

function member(page: Page, user: User) {
  return members(page).filter({ hasText: `@${user.username}` });
}

/** The "Your role" fact of the group page. */
function myRole(page: Page) {
  return page.locator('dl.facts dt:has-text("Your role") + dd');
}

async function openGroup(page: Page, group: Group) {
  await page.goto(group.url);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: group.name, exact: true })).toBeVisible();
}

test("roles change hands; the new owner removes the old one and disbands the group", async ({
  page,
  browser,
  browserErrors,
}) => {
  test.setTimeout(150_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const bobBrowser = await secondBrowser(browser);
  const b = bobBrowser.page;
  await register(a, alice);
  await register(b, bob);

  const group = await createGroup(a, "Rowing club");
  await joinGroup(b, group);
  await reload(a);
  await expect(members(a)).toHaveCount(2);

  // Alice appoints Bob, then takes the role back.
  await action(member(a, bob), "Make admin", bob).click();
  await expect(member(a, bob).getByTestId("member-role")).toHaveText("Admin");
  await action(member(a, bob), "Remove admin", bob).click();
  await expect(member(a, bob).getByTestId("member-role")).toHaveText("Member");
  await expect(action(member(a, bob), "Make admin", bob)).toBeVisible();
  await reload(a);
  await expect(member(a, bob).getByTestId("member-role")).toHaveText("Member");
  await openGroup(b, group);
  await expect(myRole(b)).toHaveText("Member");
  await expect(b.getByTestId("invite-code")).toHaveCount(0);

  // Alice hands the group over to Bob (after confirming) and becomes an admin.
  const asked = acceptNextDialog(a);
  await action(member(a, bob), "Transfer ownership", bob).click();
  expect(await asked).toBe("Make this member the owner? You will become an admin.");
  await expect(member(a, bob).getByTestId("member-role")).toHaveText("Owner");
  await expect(member(a, alice).getByTestId("member-role")).toHaveText("Admin");
  await reload(a);
  await expect(myRole(a)).toHaveText("Admin");
  await expect(member(a, alice).getByTestId("member-role")).toHaveText("Admin");
  await expect(member(a, alice)).toContainText("(you)");
  await expect(member(a, bob).getByTestId("member-role")).toHaveText("Owner");
  // An admin cannot touch the owner, and leaves rather than disbands.
  await expect(member(a, bob).getByRole("button")).toHaveCount(0);
  await expect(a.getByRole("button", { name: "Leave group" })).toBeVisible();
  await expect(a.getByRole("button", { name: "Disband group" })).toHaveCount(0);

  await reload(b);
  await expect(myRole(b)).toHaveText("Owner");
  await expect(member(b, bob).getByTestId("member-role")).toHaveText("Owner");
  await expect(member(b, alice).getByTestId("member-role")).toHaveText("Admin");
  await expect(b.getByTestId("invite-code")).toHaveText(group.inviteCode);
  await expect(action(member(b, alice), "Remove admin", alice)).toBeVisible();
  await expect(action(member(b, alice), "Transfer ownership", alice)).toBeVisible();

  // Bob removes Alice (after confirming).
  const askedToRemove = acceptNextDialog(b);
  await action(member(b, alice), "Remove", alice).click();
  expect(await askedToRemove).toBe("Remove this member from the group?");
  await expect(members(b)).toHaveCount(1);
  await expect(member(b, alice)).toHaveCount(0);
  await expect(b.getByTestId("member-count")).toHaveText("1 / 200");

  // To Alice the group no longer exists.
  await reload(a);
  await expect(a.getByRole("alert")).toHaveText("Not found.");
  await expect(a.getByRole("heading", { name: group.name })).toHaveCount(0);
  await a.getByRole("link", { name: "Back to contacts" }).click();
  await expect(a).toHaveURL(/\/contacts$/);
  await expectEmpty(a, "My groups", NO_GROUPS);
  await reload(a);
  await expectEmpty(a, "My groups", NO_GROUPS);

  // Bob disbands it (after confirming) and lands on his contacts, without it.
  await reload(b);
  const askedToDisband = acceptNextDialog(b);
  await b.getByRole("button", { name: "Disband group" }).click();
  expect(await askedToDisband).toBe("Disband this group for everyone? This cannot be undone.");
  await expect(b).toHaveURL(/\/contacts$/);
  await expectEmpty(b, "My groups", NO_GROUPS);
  await reload(b);
  await expectEmpty(b, "My groups", NO_GROUPS);
  await b.goto(group.url);
  await hydrated(b);
  await expect(b.getByRole("alert")).toHaveText("Not found.");

  expect(withoutRefusals(browserErrors, 404)).toEqual([]);
  expect(withoutRefusals(bobBrowser.errors, 404)).toEqual([]);
  await bobBrowser.context.close();
});

test("a member leaves a group; the owner sees the count drop", async ({ page, browser, browserErrors }) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const bobBrowser = await secondBrowser(browser);
  const b = bobBrowser.page;
  await register(a, alice);
  await register(b, bob);

  const group = await createGroup(a, "Choir");
  await joinGroup(b, group);
  await reload(a);
  await expect(a.getByTestId("member-count")).toHaveText("2 / 200");
  await openContacts(a);
  await expect(groupItem(a, group)).toContainText("Members: 2 / 200");

  await groupItem(b, group).getByRole("link", { name: group.name, exact: true }).click();
  await expect(b).toHaveURL(group.url);
  await expect(myRole(b)).toHaveText("Member");
  const asked = acceptNextDialog(b);
  await b.getByRole("button", { name: "Leave group" }).click();
  expect(await asked).toBe("Leave this group?");
  await expect(b).toHaveURL(/\/contacts$/);
  await expectEmpty(b, "My groups", NO_GROUPS);
  await reload(b);
  await expectEmpty(b, "My groups", NO_GROUPS);

  await reload(a);
  await expect(groupItem(a, group)).toContainText("Members: 1 / 200");
  await openGroup(a, group);
  await expect(a.getByTestId("member-count")).toHaveText("1 / 200");
  await expect(members(a)).toHaveCount(1);
  await expect(member(a, bob)).toHaveCount(0);

  expect(browserErrors).toEqual([]);
  expect(bobBrowser.errors).toEqual([]);
  await bobBrowser.context.close();
});
