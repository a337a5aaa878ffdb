import { useEffect, useMemo, useState } from "preact/hooks";
import { AdminClient, ApiError } from "./api/client.js";
import { forgetToken, readToken, saveToken } from "./api/token.js";
import { Keys } from "./views/Keys.js";
import { Login } from "./views/Login.js";
import { Providers } from "./views/Providers.js";
import { Requests } from "./views/Requests.js";
import { Usage } from "./views/Usage.js";
import { usePoll } from "./views/use-poll.js";

const TABS = ["Usage", "Requests", "Keys", "Providers"] as const;
type Tab = (typeof TABS)[number];

export function App() {
  const [token, setToken] = useState(readToken());
  if (!token)
    return (
      <Login
        onLogin={(t) => {
          saveToken(t);
          setToken(t);
        }}
      />
    );
  return (
    <Dashboard
      token={token}
      onLogout={() => {
        forgetToken();
        setToken(null);
      }}
    />
  );
}

function Dashboard({ token, onLogout }: { token: string; onLogout: () => void }) {
  const api = useMemo(() => new AdminClient(token), [token]);
  const [tab, setTab] = useState<Tab>("Usage");
  const keys = usePoll(() => api.listKeys(), 30_000, [api]);
  const keyNames = useMemo(() => new Map((keys.data?.data ?? []).map((k) => [k.id, k.name])), [keys.data]);
  // A token that stops working (rotated, gateway restarted with another) sends the operator back to log in.
  const refused = keys.error instanceof ApiError && keys.error.status === 401;
  useEffect(() => {
    if (refused) onLogout();
  }, [refused, onLogout]);
  return (
    <div class="shell">
      <header>
        <strong>MeshAPI</strong>
        <nav>
          {TABS.map((t) => (
            <button type="button" key={t} class={t === tab ? "current" : ""} onClick={() => setTab(t)}>
              {t}
            </button>
          ))}
        </nav>
        <button type="button" class="logout" onClick={onLogout}>
          Sign out
        </button>
      </header>
      <main>
        {tab === "Usage" && <Usage api={api} keyNames={keyNames} />}
        {tab === "Requests" && <Requests api={api} keyNames={keyNames} />}
        {tab === "Keys" && <Keys api={api} keys={keys.data?.data ?? []} reload={keys.reload} />}
        {tab === "Providers" && <Providers api={api} />}
      </main>
    </div>
  );
}
