import { Fragment } from "preact";
import { useState } from "preact/hooks";
import type { AdminClient } from "../api/client.js";
import type { CreatedKey, KeyView, Limits } from "../api/types.js";
import { limit, time, usd } from "../format.js";
import { LimitsForm } from "./LimitsForm.js";

interface Props {
  api: AdminClient;
  keys: KeyView[];
  reload: () => void;
}

/** Create keys (the secret is shown once), suspend, activate, revoke, and edit limits. */
export function Keys({ api, keys, reload }: Props) {
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function run(action: () => Promise<unknown>) {
    setError(null);
    try {
      await action();
      reload();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  async function create(limits: Partial<Limits>) {
    await run(async () => {
      setCreated(await api.createKey(name.trim(), limits));
      setName("");
    });
  }

  return (
    <section aria-label="Keys">
      <details class="create" open={keys.length === 0}>
        <summary>Create a key</summary>
        <label>
          Name
          <input name="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        {/* Keyed by the last created key, so its limits are cleared for the next one. */}
        <LimitsForm key={created?.id ?? "new"} submitLabel="Create key" onSubmit={create} />
      </details>
      {created && (
        <div class="secret" role="status">
          <p>
            Key <strong>{created.name}</strong> created. Copy it now: it is stored hashed and will not be
            shown again.
          </p>
          <code data-testid="new-key">{created.key}</code>
          <button type="button" onClick={() => navigator.clipboard?.writeText(created.key)}>
            Copy
          </button>
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <table data-testid="keys">
        <thead>
          <tr>
            <th>name</th>
            <th>key</th>
            <th>status</th>
            <th class="num">rpm</th>
            <th class="num">rpd</th>
            <th class="num">tpm</th>
            <th class="num">concurrent</th>
            <th class="num">spend cap</th>
            <th>created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <Fragment key={k.id}>
              <tr data-key-id={k.id}>
                <td>{k.name}</td>
                <td class="mono">{k.display_prefix}…</td>
                <td>
                  <span class={`badge ${k.status}`}>{k.status}</span>
                </td>
                <td class="num">{limit(k.rpm)}</td>
                <td class="num">{limit(k.rpd)}</td>
                <td class="num">{limit(k.tpm)}</td>
                <td class="num">{limit(k.max_concurrent)}</td>
                <td class="num">
                  {k.spend_cap_usd === null ? "–" : `${usd(k.spend_cap_usd)} ${k.spend_period}`}
                </td>
                <td>{time(k.created_at)}</td>
                <td class="actions">
                  {k.status !== "revoked" && (
                    <>
                      <button type="button" onClick={() => setEditing(editing === k.id ? null : k.id)}>
                        Limits
                      </button>
                      <button
                        type="button"
                        onClick={() =>
                          run(() =>
                            api.updateKey(k.id, { status: k.status === "active" ? "suspended" : "active" }),
                          )
                        }
                      >
                        {k.status === "active" ? "Suspend" : "Activate"}
                      </button>
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          confirm(`Revoke "${k.name}"? Clients using it are refused at once.`) &&
                          run(() => api.updateKey(k.id, { status: "revoked" }))
                        }
                      >
                        Revoke
                      </button>
                    </>
                  )}
                </td>
              </tr>
              {editing === k.id && (
                <tr>
                  <td colSpan={10}>
                    <LimitsForm
                      initial={k}
                      submitLabel="Save limits"
                      onCancel={() => setEditing(null)}
                      onSubmit={(limits) =>
                        run(async () => {
                          await api.updateKey(k.id, limits);
                          setEditing(null);
                        })
                      }
                    />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </section>
  );
}
