import { test, expect, hydrated } from "./fixtures";

// The client-only (Trunk) bundle, served by `trunk serve` with /api proxied to a Penguin
// server. Run by `make trunk-test`, which sets CSR_BASE_URL; the SSR suite skips it.
test.skip(!process.env.CSR_BASE_URL, "client-only bundle: run by make trunk-test");

test("the client-only bundle renders the app and talks to the server's API", async ({ page, browserErrors }) => {
  await page.goto(process.env.CSR_BASE_URL!);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Welcome to Penguin" })).toBeVisible();
  await page.getByRole("button", { name: "Check server" }).click();
  await expect(page.getByTestId("server-facts")).toContainText("m20261123_000001_create_users");
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.getByRole("heading", { name: "欢迎使用 Penguin" })).toBeVisible();
  expect(browserErrors).toEqual([]);
});
