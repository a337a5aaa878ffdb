import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findUiDir } from "../../gateway/src/http/routes/ui.js";
import { ask, type Harness, startHarness } from "../../gateway/test/helpers/harness.js";
import { chromiumSkipNote, hasChromium, launchBrowser } from "./browser.js";

const ADMIN = "e2e-admin-token";
/** Screenshots land here (git-ignored), kept as the test's artefacts. */
const ARTIFACTS = fileURLToPath(new URL("../../../artifacts/ui-e2e/", import.meta.url));
const built = findUiDir() !== undefined;
const builtSkipNote = "skipping the dashboard's browser test: packages/ui is not built (npm run build)";
if (!hasChromium) console.warn(chromiumSkipNote);
else if (!built) console.warn(builtSkipNote);

describe.skipIf(!hasChromium || !built)("web dashboard in headless Chromium", () => {
  let h: Harness;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  let secret: string;
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
  const tab = (name: string) => page.getByRole("navigation").getByRole("button", { name }).click();

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHarness({ env: { MESHAPI_ADMIN_TOKEN: ADMIN } });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it("refuses a wrong admin token and signs in with the right one", async () => {
    await page.goto(`${h.url}/ui/`);
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("refused");
    await shot("01-login-refused");
    await page.getByLabel("Admin token").fill(ADMIN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    // The token is kept for this tab only, and survives a reload.
    expect(await page.evaluate(() => sessionStorage.getItem("meshapi.adminToken"))).toBe(ADMIN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.reload();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
  });

  it("creates a key and shows its secret once", async () => {
    await tab("Keys");
    await page.getByText("Create a key").click();
    await page.locator('input[name="key-name"]').fill("e2e-key");
    await page.locator('input[name="rpm"]').fill("100");
    await page.getByRole("button", { name: "Create key" }).click();
    secret = (await page.getByTestId("new-key").textContent()) ?? "";
    expect(secret).toMatch(/^rsk_/);
    const row = page.locator("[data-testid=keys] tbody tr", { hasText: "e2e-key" });
    await expect.poll(() => row.textContent()).toContain("active");
    expect(await row.textContent()).toContain("100");
    await shot("02-key-created");
    // The list shows only the prefix, never the secret.
    expect(await page.getByTestId("keys").textContent()).not.toContain(secret);
  });

  it("shows a chat request made with the new key in recent requests and the charts", async () => {
    const res = await h.chat(ask("hello from the browser test", { session_id: "e2e-session" }), {
      key: secret,
    });
    expect(res.status).toBe(200);
    await res.text();
    await h.gateway.usage.flush();

    await tab("Requests");
    const row = page.locator("[data-testid=recent-requests] tbody tr", { hasText: "e2e-key" });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/openai\/gpt-4o-mini.*200.*\d+ ms/);
    await shot("03-recent-requests");

    await tab("Usage");
    const totals = page.locator("[data-testid=usage-totals] tbody tr", { hasText: "e2e-key" });
    await totals.waitFor();
    expect(await totals.locator("td").nth(1).textContent()).toBe("1");
    // Both charts drew, with the key as a line in their legends.
    expect(await page.locator(".chart canvas").count()).toBe(2);
    expect(await page.locator(".chart .u-legend", { hasText: "e2e-key" }).count()).toBe(2);
    await shot("04-usage-by-key");
    await page.getByLabel("By").selectOption("session_id");
    await page.locator("[data-testid=usage-totals] tbody tr", { hasText: "e2e-session" }).waitFor();
    await shot("05-usage-by-session");
  });

  it("reports the provider that answered as healthy", async () => {
    await tab("Providers");
    const row = page.locator("[data-testid=providers] tbody tr", { hasText: "openai" });
    await row.waitFor();
    expect(await row.locator(".badge").textContent()).toBe("ok");
    await shot("06-providers");
  });

  it("suspends the key so the gateway refuses it, then activates it again", async () => {
    await tab("Keys");
    const row = page.locator("[data-testid=keys] tbody tr", { hasText: "e2e-key" });
    await row.getByRole("button", { name: "Suspend" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("suspended");
    expect((await h.chat(ask("refused?"), { key: secret })).status).toBe(403);
    await row.getByRole("button", { name: "Activate" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("active");
    expect((await h.chat(ask("back"), { key: secret })).status).toBe(200);
  });

  it("edits a key's limits and revokes it after confirmation", async () => {
    const row = page.locator("[data-testid=keys] tbody tr", { hasText: "e2e-key" });
    await row.getByRole("button", { name: "Limits" }).click();
    await page.locator('form.limits input[name="tpm"]').last().fill("5000");
    await page.locator('form.limits input[name="rpm"]').last().fill("");
    await page.getByRole("button", { name: "Save limits" }).click();
    await expect.poll(() => row.locator("td").nth(5).textContent()).toBe("5,000");
    const id = (await row.getAttribute("data-key-id")) as string;
    const stored = await h.gateway.store.getKey(id);
    expect(stored?.limits).toMatchObject({ tpm: 5000, rpm: null });
    page.once("dialog", (dialog) => dialog.accept());
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => row.locator(".badge").textContent()).toBe("revoked");
    expect((await h.chat(ask("revoked?"), { key: secret })).status).toBe(401);
    await shot("07-key-revoked");
  });

  it("signs out and forgets the token", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Admin token").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("meshapi.adminToken"))).toBeNull();
  });
});
