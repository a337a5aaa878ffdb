import pg from "pg";

/**
 * A fresh PostgreSQL database for one test file, dropped afterwards, or undefined (with a visible
 * note) when MESHAPI_TEST_DATABASE_URL is not set.
 */
export async function createTestDatabase(
  label: string,
): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const admin = process.env.MESHAPI_TEST_DATABASE_URL;
  if (!admin) return undefined;
  const name = `meshapi_${label}_${process.pid}_${Date.now().toString(36)}`
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_");
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const postgresSkipNote = "skipping PostgreSQL tests: MESHAPI_TEST_DATABASE_URL is not set";
