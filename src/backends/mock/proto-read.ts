// protobuf's ParseDict as MLflow's handlers call it: the fields are read in the order the JSON holds them and
// the first that does not parse stops the reading, leaving what was read in the message. The handlers' own
// checks of the raw JSON come next and pass values protobuf refuses (a NaN token, 1e309, "nan"), so MLflow
// goes on with the partial message: later fields keep their defaults (0, '') and later list items are gone.
// A string holding a lone surrogate (half an emoji, `"\ud83d"`: no UTF-8) stops the reading the same way, and is read
// as '' itself (mlflow server 3.17.2; the contract case `lone-surrogates-read-as-empty`).
import { pyFloat } from './py-float.ts';
import type { Json } from './request-fields.ts';

/** A double field's value as protobuf's JSON parser reads it; undefined where it raises ParseError. */
export function protoDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return Number(v);
  // "nan" alone is refused ("use NaN instead"); everything else float() reads is taken, "NAN" and "inf" too.
  if (typeof v === 'string') return v === 'nan' ? undefined : pyFloat(v);
  return undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

interface Read {
  value: unknown;
  stopped: boolean;
}

/** The message ParseDict leaves of `body`, where `isDouble(path)` tells the double fields (the only ones
 * read strictly here, with strings: other fields' bad values are refused by the handlers' checks first). */
export function protoRead(body: Json, isDouble: (path: string) => boolean = () => false): Json {
  const read = (v: unknown, path: string): Read => {
    if (typeof v === 'string' && LONE_SURROGATE.test(v)) return { value: '', stopped: true };
    if (isDouble(path)) {
      // null is skipped (the field stays unset), as ParseDict skips None
      if (v === null) return { value: undefined, stopped: false };
      const d = protoDouble(v);
      return { value: d, stopped: d === undefined };
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      for (const [i, x] of v.entries()) {
        const r = read(x, `${path}[${i}]`);
        if (r.value !== undefined) out.push(r.value);
        if (r.stopped) return { value: out, stopped: true };
      }
      return { value: out, stopped: false };
    }
    if (v !== null && typeof v === 'object') {
      const out: Json = {};
      for (const [k, x] of Object.entries(v)) {
        const r = read(x, path ? `${path}.${k}` : k);
        if (r.value !== undefined) out[k] = r.value;
        if (r.stopped) return { value: out, stopped: true };
      }
      return { value: out, stopped: false };
    }
    return { value: v, stopped: false };
  };
  // an object in, an object out (read() keeps the shape)
  return read(body, '').value as Json;
}
