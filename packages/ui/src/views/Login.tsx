import { useState } from "preact/hooks";
import { AdminClient, ApiError } from "../api/client.js";

interface Props {
  onLogin: (token: string) => void;
}

/** Asks for MESHAPI_ADMIN_TOKEN and checks it against the admin API before keeping it. */
export function Login({ onLogin }: Props) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await new AdminClient(token.trim()).listKeys();
      onLogin(token.trim());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError("The gateway refused this token.");
      else if (err instanceof ApiError && err.status === 404)
        setError("The admin API is off: start the gateway with MESHAPI_ADMIN_TOKEN set.");
      else setError(`Could not reach the gateway: ${(err as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <h1>MeshAPI</h1>
      <form onSubmit={submit}>
        <label>
          Admin token
          <input
            name="token"
            type="password"
            autocomplete="off"
            value={token}
            onInput={(e) => setToken(e.currentTarget.value)}
            placeholder="MESHAPI_ADMIN_TOKEN"
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
      <p class="hint">The token is kept in this tab's session storage only.</p>
    </main>
  );
}
