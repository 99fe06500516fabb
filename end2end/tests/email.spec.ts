import { test, expect, hydrated, mailCount, newestCode, uniqueEmail, withoutRefusals } from "./fixtures";
import type { Page } from "@playwright/test";

// Codes are read from the server's development outbox (scripts/e2e.sh points
// PENGUIN_DEV_OUTBOX at it). Every test uses its own users and addresses: the suite runs
// in parallel against one server.

const PASSWORD = "correct horse battery";

type User = { username: string; displayName: string };

function newUser(prefix: string): User {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
  return { username: `${prefix}${suffix}`, displayName: `${prefix} ${suffix}` };
}

/** Fills the registration form (the page is open); the e-mail part is left as it is. */
async function fillRegistration(page: Page, user: User) {
  await page.getByLabel("Username", { exact: true }).fill(user.username);
  await page.getByLabel("Display name").fill(user.displayName);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
}

async function expectSignedInAs(page: Page, user: User) {
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.getByRole("tab", { name: "Friends" })).toBeVisible();
  await expect(page.locator(".current-user")).toHaveText(user.displayName);
}

/** The "sign in with an e-mail code" part of /login. */
function codeSignIn(page: Page) {
  return page.getByRole("region", { name: "With an e-mail code" });
}

/** A code that is not `code` (still six digits, so the server is the one to refuse it). */
function otherCode(code: string): string {
  return ((Number(code) + 1) % 1_000_000).toString().padStart(6, "0");
}

test("add an address on /account, then sign in with a code mailed to it", async ({ page, browserErrors }) => {
  test.setTimeout(90_000);
  const erin = newUser("erin");
  const address = uniqueEmail("erin");

  await page.goto("/register");
  await hydrated(page);
  await fillRegistration(page, erin);
  await page.getByRole("button", { name: "Create account" }).click();
  await expectSignedInAs(page, erin);

  // The account page, from the top bar.
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByTestId("account-username")).toHaveText(`@${erin.username}`);
  await expect(page.getByTestId("account-display-name")).toHaveText(erin.displayName);
  await expect(page.getByTestId("account-email")).toHaveText("No e-mail address yet");

  // Add the address: a code goes to it, and confirming it shows the address.
  const change = page.getByRole("region", { name: "Add or change your e-mail address" });
  await change.getByLabel("E-mail address").fill(address);
  await change.getByRole("button", { name: "Send code" }).click();
  await expect(change.getByText("If this address can receive mail, a code is on its way.")).toBeVisible();
  const code = await newestCode(address);
  const codeInput = change.getByLabel("Code from the e-mail");
  await expect(codeInput).toHaveAttribute("inputmode", "numeric");
  await expect(codeInput).toHaveAttribute("autocomplete", "one-time-code");
  await codeInput.fill(code);
  await change.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByTestId("account-email")).toHaveText(address);
  await expect(change.getByText("Your e-mail address is confirmed.")).toBeVisible();
  // The server has it too.
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("account-email")).toHaveText(address);

  // Sign out, and back in with a fresh code instead of the password.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
  const mailsBefore = await mailCount(address);
  const signIn = codeSignIn(page);
  await signIn.getByLabel("E-mail address").fill(address);
  await signIn.getByRole("button", { name: "Send code" }).click();
  await expect(signIn.getByRole("status")).toHaveText("If this address can receive mail, a code is on its way.");
  const signInCode = await newestCode(address, mailsBefore);
  await signIn.getByLabel("Code from the e-mail").fill(signInCode);
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await expectSignedInAs(page, erin);

  // The session survives a fresh server render.
  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByTestId("account-email")).toHaveText(address);
  expect(browserErrors).toEqual([]);
});

test("a wrong e-mail code is refused", async ({ page, browserErrors }) => {
  test.setTimeout(60_000);
  const address = uniqueEmail("frank");
  await page.goto("/login");
  await hydrated(page);
  const signIn = codeSignIn(page);

  // Checked in the browser with the shared rules first.
  await signIn.getByLabel("E-mail address").fill("frank@localhost");
  await signIn.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("alert")).toHaveText("This is not a valid e-mail address.");

  // The same notice as for an address with an account.
  await signIn.getByLabel("E-mail address").fill(address);
  await signIn.getByRole("button", { name: "Send code" }).click();
  await expect(signIn.getByRole("status")).toHaveText("If this address can receive mail, a code is on its way.");
  await expect(page.getByRole("alert")).toHaveCount(0);
  const code = await newestCode(address);

  await signIn.getByLabel("Code from the e-mail").fill("12 34");
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("This code is wrong or has expired. Ask for a new one.");

  await signIn.getByLabel("Code from the e-mail").fill(otherCode(code));
  await signIn.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("This code is wrong or has expired. Ask for a new one.");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.locator(".current-user")).toHaveCount(0);
  expect(withoutRefusals(browserErrors, 400)).toEqual([]);
});

test("register from an address that asked for a code on /login", async ({ page, browserErrors }) => {
  test.setTimeout(60_000);
  const grace = newUser("grace");
  const address = uniqueEmail("grace");

  // No account has this address: the mail says to register with the code.
  await page.goto("/login");
  await hydrated(page);
  await codeSignIn(page).getByLabel("E-mail address").fill(address);
  await codeSignIn(page).getByRole("button", { name: "Send code" }).click();
  await expect(codeSignIn(page).getByRole("status")).toHaveText(
    "If this address can receive mail, a code is on its way.",
  );
  const code = await newestCode(address);

  // The registration page, with the address from the link.
  await page.goto(`/register?email=${encodeURIComponent(address)}`);
  await hydrated(page);
  await expect(page.getByRole("group", { name: "Register with a verified e-mail address" })).toBeVisible();
  await expect(page.getByLabel("E-mail address")).toHaveValue(address);
  await page.getByLabel("Code from the e-mail").fill(code);
  await fillRegistration(page, grace);
  await page.getByRole("button", { name: "Create account" }).click();
  await expectSignedInAs(page, grace);

  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page.getByTestId("account-email")).toHaveText(address);
  expect(browserErrors).toEqual([]);
});

test("register with a code sent from /register; an address without its code is refused", async ({ page, browserErrors }) => {
  test.setTimeout(60_000);
  const heidi = newUser("heidi");
  const address = uniqueEmail("heidi");
  await page.goto("/register");
  await hydrated(page);
  await fillRegistration(page, heidi);
  await page.getByLabel("E-mail address").fill(address);

  // An address without a code: checked in the browser.
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toHaveText(
    "Enter the code sent to this address, or leave the e-mail address empty.",
  );

  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("status")).toHaveText("If this address can receive mail, a code is on its way.");
  await page.getByLabel("Code from the e-mail").fill(await newestCode(address));
  await page.getByRole("button", { name: "Create account" }).click();
  await expectSignedInAs(page, heidi);

  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByTestId("account-email")).toHaveText(address);
  expect(browserErrors).toEqual([]);
});

test("signed out, /account asks to sign in", async ({ page, browserErrors }) => {
  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByText("Please sign in to see this page.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the sign-in page" })).toBeVisible();
  expect(browserErrors).toEqual([]);
});
