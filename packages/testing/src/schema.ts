import pg from 'pg';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function quoted(schema: string): string {
  if (!IDENTIFIER.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: expected [a-z_][a-z0-9_]*, at most 63 chars`);
  }
  return `"${schema}"`;
}

async function run(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createSchema(databaseUrl: string, schema: string): Promise<void> {
  await run(databaseUrl, `CREATE SCHEMA IF NOT EXISTS ${quoted(schema)}`);
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  await run(databaseUrl, `DROP SCHEMA IF EXISTS ${quoted(schema)} CASCADE`);
}

/** `databaseUrl` with `options=-c search_path=<schema>`, so every connection made from it lands in the schema. */
export function withSearchPath(databaseUrl: string, schema: string): string {
  quoted(schema);
  const url = new URL(databaseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export interface TestSchema extends AsyncDisposable {
  schema: string;
  databaseUrl: string;
  /** `databaseUrl` with the search path set to `schema`. */
  schemaUrl: string;
  drop(): Promise<void>;
}

/** Creates `schema` and returns a handle that drops it (CASCADE) on dispose: `await using s = await withSchema(url, ids.schema)`. */
export async function withSchema(databaseUrl: string, schema: string): Promise<TestSchema> {
  await createSchema(databaseUrl, schema);
  let dropped: Promise<void> | undefined;
  const drop = (): Promise<void> => (dropped ??= dropSchema(databaseUrl, schema));
  return {
    schema,
    databaseUrl,
    schemaUrl: withSearchPath(databaseUrl, schema),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}
