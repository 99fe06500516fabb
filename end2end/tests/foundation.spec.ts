import { test, expect, hydrated } from "./fixtures";

test("the start page is rendered by the server and then hydrated", async ({ page, browserErrors }) => {
  // Before any script runs, the server already sent the content.
  await page.route("**/pkg/penguin.js", (route) => route.abort());
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Welcome to Penguin" })).toBeVisible();
  await expect(page.locator("body")).not.toHaveAttribute("data-hydrated", "true");
  await page.unroute("**/pkg/penguin.js");
  browserErrors.length = 0; // the aborted script logs an error on purpose

  await page.goto("/");
  await hydrated(page);
  expect(browserErrors).toEqual([]);
});

test("a click handled by wasm changes the page: switching the language", async ({ page, browserErrors }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "欢迎使用 Penguin" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");

  // The choice is remembered: the next server render is already in Chinese.
  await page.reload();
  await expect(page.getByRole("heading", { name: "欢迎使用 Penguin" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to Penguin" })).toBeVisible();
  expect(browserErrors).toEqual([]);
});

test("a server-function round trip shows its answer on the page", async ({ page, browserErrors }) => {
  await page.goto("/");
  await hydrated(page);
  const answer = page.waitForResponse((r) => r.url().includes("/api/server_info"));
  await page.getByRole("button", { name: "Check server" }).click();
  expect((await answer).status()).toBe(200);
  const facts = page.getByTestId("server-facts");
  await expect(facts).toContainText("sqlite");
  // The name of the newest migration the database ran (it changes as migrations are added).
  await expect(facts).toContainText(/m\d{8}_\d{6}_[a-z0-9_]+/);
  // The version comes from the server, not from the page.
  const health = await (await page.request.get("/healthz")).json();
  await expect(facts).toContainText(health.version);
  expect(browserErrors).toEqual([]);
});

test("sign-in and registration pages and client-side navigation", async ({ page, browserErrors }) => {
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("link", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page).toHaveTitle("Sign in · Penguin");
  await expect(page.getByLabel("Username")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await page.getByRole("link", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { name: "Create account" })).toBeVisible();
  await expect(page.getByLabel("Confirm password")).toBeVisible();
  await page.getByRole("link", { name: "Penguin" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to Penguin" })).toBeVisible();
  expect(browserErrors).toEqual([]);
});

test("an unknown address answers 404 with a page that links home", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("link", { name: "Back to the start page" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to Penguin" })).toBeVisible();
});

test("no errors in the browser console on any page", async ({ page, browserErrors }) => {
  for (const path of ["/", "/login", "/register"]) {
    await page.goto(path);
    await hydrated(page);
  }
  expect(browserErrors).toEqual([]);
});
