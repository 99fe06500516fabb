import { test, expect } from "./fixtures";
import { collectErrors, newUser, register } from "./people";
import { befriendByApi, bodies, log, openChatFromContacts, say } from "./chatting";

// Two browsers on two nodes of one cluster (PostgreSQL + Redis), chatting live.
// scripts/e2e.sh starts the two nodes and runs this file on its own with NODE_A_URL and
// NODE_B_URL; in the single-server run it has nothing to run against.

const nodeA = process.env.NODE_A_URL;
const nodeB = process.env.NODE_B_URL;

test.skip(!nodeA || !nodeB, "needs two cluster nodes (scripts/e2e.sh starts them with PostgreSQL and Redis)");

test("two browsers on two nodes chat live both ways", async ({ browser }) => {
  test.setTimeout(90_000);
  const onA = await browser.newContext({ baseURL: nodeA });
  const onB = await browser.newContext({ baseURL: nodeB });
  const a = await onA.newPage();
  const b = await onB.newPage();
  const errors = [...[a, b].map(collectErrors)];
  const alice = newUser("alice");
  const bob = newUser("bob");

  await register(a, alice);
  await register(b, bob);
  // Each page talks only to its own node.
  expect(new URL(a.url()).origin).toBe(nodeA);
  expect(new URL(b.url()).origin).toBe(nodeB);
  await befriendByApi(a, b);

  await openChatFromContacts(a, bob);
  await openChatFromContacts(b, alice);

  await say(a, "hello from node A");
  await expect(bodies(b)).toHaveText(["hello from node A"]);
  await say(b, "hello from node B");
  await expect(bodies(a)).toHaveText(["hello from node A", "hello from node B"]);
  await expect(bodies(b)).toHaveText(["hello from node A", "hello from node B"]);
  await expect(log(a).getByTestId("message").last()).not.toHaveClass(/own/);
  await expect(log(b).getByTestId("message").last()).toHaveClass(/own/);

  expect(errors.flat()).toEqual([]);
  await onA.close();
  await onB.close();
});
