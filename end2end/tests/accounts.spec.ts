import { test, expect, hydrated, withoutRefusals } from "./fixtures";
import type { Page } from "@playwright/test";
import { collectErrors, newUser, openContacts, PASSWORD, register, unique, type User } from "./people";

/** The entry of `user` in the list named `list` ("My friends", "Received", …). */
function entry(page: Page, list: string, user: User) {
  return page
    .getByRole("list", { name: list, exact: true })
    .getByRole("listitem")
    .filter({ hasText: `@${user.username}` });
}

test("two users become friends and share a group", async ({ page, browser, browserErrors }) => {
  test.setTimeout(120_000);
  const alice = newUser("alice");
  const bob = newUser("bob");
  const a = page;
  const bobContext = await browser.newContext();
  const b = await bobContext.newPage();
  const bobErrors = collectErrors(b);

  await register(a, alice);
  await register(b, bob);

  // Alice finds Bob and asks him.
  await a.getByRole("searchbox", { name: "Username or display name" }).fill(bob.username);
  await a.getByRole("button", { name: "Search" }).click();
  const result = entry(a, "Search results", bob);
  await expect(result).toContainText(bob.displayName);
  await result.getByRole("button", { name: "Add friend" }).click();
  await expect(result).toContainText("Request sent");
  await expect(entry(a, "Sent", bob)).toBeVisible();

  // Bob sees the request and accepts it.
  await openContacts(b);
  const request = entry(b, "Received", alice);
  await expect(request).toContainText(alice.displayName);
  await request.getByRole("button", { name: "Accept" }).click();
  await expect(entry(b, "My friends", alice)).toBeVisible();
  await expect(entry(b, "Received", alice)).toHaveCount(0);

  // Both see each other after a fresh server render.
  await openContacts(a);
  await expect(entry(a, "My friends", bob)).toContainText(bob.displayName);
  await expect(entry(a, "Sent", bob)).toHaveCount(0);
  await b.reload();
  await hydrated(b);
  await expect(entry(b, "My friends", alice)).toContainText(alice.displayName);

  // Alice creates a group and reads its invite code on the group's page.
  const groupName = unique("Chess club ");
  await a.getByLabel("Group name").fill(groupName);
  await a.getByLabel("Description (optional)").fill("Openings on Mondays");
  await a.getByRole("button", { name: "Create group" }).click();
  const aliceGroupLink = a.getByRole("link", { name: groupName });
  await expect(aliceGroupLink).toBeVisible();
  await aliceGroupLink.click();
  await expect(a).toHaveURL(/\/groups\/\d+$/);
  await expect(a.getByRole("heading", { name: groupName })).toBeVisible();
  await expect(a.getByText("Openings on Mondays")).toBeVisible();
  const inviteCode = (await a.getByTestId("invite-code").textContent())?.trim() ?? "";
  expect(inviteCode).not.toBe("");
  const groupUrl = a.url();

  // Bob joins with the code.
  await b.getByRole("textbox", { name: "Invite code" }).fill(inviteCode);
  await b.getByRole("button", { name: "Join" }).click();
  const bobGroupItem = b.getByRole("list", { name: "My groups" }).getByRole("listitem").filter({ hasText: groupName });
  await expect(bobGroupItem).toContainText("Members: 2 / 200");
  await expect(bobGroupItem.getByText("Member", { exact: true })).toBeVisible();
  await bobGroupItem.getByRole("link", { name: groupName }).click();
  await expect(b).toHaveURL(groupUrl);
  const bobMembers = b.getByRole("list", { name: "Members" }).getByRole("listitem");
  await expect(bobMembers).toHaveCount(2);
  await expect(bobMembers.filter({ hasText: `@${alice.username}` })).toContainText("Owner");
  await expect(bobMembers.filter({ hasText: `@${bob.username}` })).toContainText("Member");
  await expect(bobMembers.filter({ hasText: `@${bob.username}` })).toContainText("(you)");
  await expect(b.getByTestId("member-count")).toHaveText("2 / 200");
  // A member sees no invite code and cannot manage others.
  await expect(b.getByTestId("invite-code")).toHaveCount(0);
  await expect(b.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await expect(b.getByRole("button", { name: "Leave group" })).toBeVisible();

  // Alice sees Bob in the group too, and makes him an admin.
  await a.reload();
  await hydrated(a);
  const aliceMembers = a.getByRole("list", { name: "Members" }).getByRole("listitem");
  await expect(aliceMembers).toHaveCount(2);
  await expect(a.getByTestId("member-count")).toHaveText("2 / 200");
  const bobInAlicesList = aliceMembers.filter({ hasText: `@${bob.username}` });
  await expect(bobInAlicesList.getByTestId("member-role")).toHaveText("Member");
  await bobInAlicesList.getByRole("button", { name: `Make admin ${bob.displayName}` }).click();
  await expect(bobInAlicesList.getByTestId("member-role")).toHaveText("Admin");
  await expect(bobInAlicesList.getByRole("button", { name: "Remove admin" })).toBeVisible();

  // Bob, now an admin, sees the invite code after a reload.
  await b.reload();
  await hydrated(b);
  await expect(bobMembers.filter({ hasText: `@${bob.username}` }).getByTestId("member-role")).toHaveText("Admin");
  await expect(b.getByTestId("invite-code")).toHaveText(inviteCode);

  expect(browserErrors).toEqual([]);
  expect(bobErrors).toEqual([]);
  await bobContext.close();
});

test("a wrong password is refused; signing out and in again works", async ({ page, browserErrors }) => {
  test.setTimeout(60_000);
  const carol = newUser("carol");
  await register(page, carol);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.locator(".current-user")).toHaveCount(0);

  // Signed out, the contacts page asks to sign in (also when rendered by the server).
  await page.goto("/contacts");
  await hydrated(page);
  await expect(page.getByText("Please sign in to see this page.")).toBeVisible();
  await page.getByRole("link", { name: "Go to the sign-in page" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Username").fill(carol.username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/login$/);

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.locator(".current-user")).toHaveText(carol.displayName);

  // The session survives a fresh server render.
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("tab", { name: "Friends" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // A group she is not in does not exist, as far as she can tell.
  await page.goto("/groups/987654321");
  await hydrated(page);
  await expect(page.getByRole("alert")).toHaveText("Not found.");
  await expect(page.getByRole("link", { name: "Back to contacts" })).toBeVisible();
  expect(withoutRefusals(browserErrors, 401, 404)).toEqual([]);
});

test("registration checks its input and shows the server's refusals", async ({ page, browserErrors }) => {
  test.setTimeout(60_000);
  const dave = newUser("dave");
  await page.goto("/register");
  await hydrated(page);
  const form = {
    username: page.getByLabel("Username", { exact: true }),
    displayName: page.getByLabel("Display name"),
    password: page.getByLabel("Password", { exact: true }),
    confirmation: page.getByLabel("Confirm password"),
    submit: page.getByRole("button", { name: "Create account" }),
  };
  await form.username.fill(dave.username);
  await form.displayName.fill(dave.displayName);

  // Checked in the browser with the shared rules.
  await form.password.fill("password");
  await form.confirmation.fill("password");
  await form.submit.click();
  await expect(page.getByRole("alert")).toHaveText(/at least 8 characters/);
  await form.password.fill(PASSWORD);
  await form.confirmation.fill(`${PASSWORD}!`);
  await form.submit.click();
  await expect(page.getByRole("alert")).toHaveText("The two passwords are not the same.");

  await form.confirmation.fill(PASSWORD);
  await form.submit.click();
  await expect(page).toHaveURL(/\/chat$/);

  // Refused by the server: the username is taken (by dave, who is signed in now).
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await registerExpectingError(page, dave, "This username is already taken.");
  expect(withoutRefusals(browserErrors, 409)).toEqual([]);
});

async function registerExpectingError(page: Page, user: User, message: string) {
  await page.goto("/register");
  await hydrated(page);
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Display name").fill(user.displayName);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText(message);
  await expect(page).toHaveURL(/\/register$/);
}
