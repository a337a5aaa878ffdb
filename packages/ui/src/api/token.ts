/**
 * The admin token lives in sessionStorage: it survives a reload but not closing the tab, and it is
 * never written to localStorage or a cookie, so no other tab or request carries it implicitly.
 */
const SLOT = "meshapi.adminToken";

export function readToken(): string | null {
  return sessionStorage.getItem(SLOT);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(SLOT, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(SLOT);
}
