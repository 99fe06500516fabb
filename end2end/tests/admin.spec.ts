import { test, expect, hydrated, withoutRefusals } from "./fixtures";
import { execFileSync } from "node:child_process";
import { newUser, register, secondBrowser } from "./people";

/** `penguin admin …` on the database of the server under test (scripts/e2e.sh). */
function penguinAdmin(...args: string[]) {
  const binary = process.env.PENGUIN_BINARY;
  const database = process.env.PENGUIN_DATABASE_URL;
  if (!binary || !database) throw new Error("run through scripts/e2e.sh (PENGUIN_BINARY, PENGUIN_DATABASE_URL)");
  return execFileSync(binary, ["--database-url", database, "admin", ...args], { encoding: "utf8" });
}

test("an administrator sees the server and disables an account on /admin", async ({ page, browser, browserErrors }) => {
  test.setTimeout(90_000);
  const root = newUser("root");
  const bob = newUser("bob");
  await register(page, root);
  const other = await secondBrowser(browser);
  await register(other.page, bob);

  // Not an administrator yet: the page says so instead of showing anything.
  await page.goto("/admin");
  await hydrated(page);
  await expect(page.getByText("You are not allowed to do that.").first()).toBeVisible();

  penguinAdmin("make-admin", root.username);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Administration" })).toBeVisible();
  const overview = page.getByTestId("admin-overview");
  await expect(overview).toBeVisible();
  const accounts = page.getByRole("list", { name: "Accounts", exact: true });
  const bobRow = accounts.getByRole("listitem").filter({ hasText: `@${bob.username}` });
  await expect(bobRow).toContainText(bob.displayName);
  await expect(accounts.getByRole("listitem").filter({ hasText: `@${root.username}` })).toContainText("administrator");

  // Disabling ends Bob's session: his next page load is signed out.
  await bobRow.getByRole("button", { name: `Disable ${bob.username}` }).click();
  await expect(bobRow).toContainText("disabled");
  await expect(bobRow.getByRole("button", { name: `Enable ${bob.username}` })).toBeVisible();
  await other.page.goto("/contacts");
  await hydrated(other.page);
  await expect(other.page.getByText("Please sign in to see this page.")).toBeVisible();

  // And enabling lets him back in (he signs in himself).
  await bobRow.getByRole("button", { name: `Enable ${bob.username}` }).click();
  await expect(bobRow).not.toContainText("disabled");
  expect(withoutRefusals(browserErrors, 403)).toEqual([]);
  await other.context.close();
});
