// A JSON Schema's `default`s filled into data that is already validated, without compiling a
// validator: compiling one (Ajv) is most of a tracking hook's set-up in a fresh trial process (about
// 290 million instructions, 100 ms), spent only to fill defaults. Covers what the configuration
// schemas use, nested `properties` with `default`, the way Ajv's `useDefaults` fills them
// (test/schema-defaults.test.ts compares the two).

/** The part of a JSON Schema that carries defaults. */
interface DefaultsSchema {
  properties?: Record<string, DefaultsSchema>;
  default?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Fills `data` in place: each property missing (undefined) gets a copy of its `default`, then objects are
 * filled from their own properties' defaults.
 */
export function fillDefaults(schema: object, data: unknown): void {
  // a JSON Schema object (loaded by jsonObject); only `properties` and `default` are read
  const { properties } = schema as DefaultsSchema;
  if (!properties || !isRecord(data)) return;
  for (const [key, sub] of Object.entries(properties)) {
    if (data[key] === undefined && sub.default !== undefined) data[key] = structuredClone(sub.default);
    fillDefaults(sub, data[key]);
  }
}
