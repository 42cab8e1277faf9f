// Reading MLflow request fields as the server's proto parsing does, shared by the route tables.
import type { KeyValue } from '../../mlflow/wire.ts';
import { requiredItem } from './validation.ts';

/** A request's fields (JSON body or query), or an answer's body. */
export type Json = Record<string, unknown>;

// the elements are checked where they are used (required(), str(), parseInt64())
export const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
/** Client JSON as text, coerced as JavaScript does; the contract cases pin what MLflow answers. */
export const text = (v: unknown): string => String(v);
export const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : text(v));

export function keyValues(v: unknown, path: string): KeyValue[] {
  return list<Json>(v).map((x, i) => {
    requiredItem(x, path, i, 'key');
    return { key: String(x.key), value: x.value === undefined || x.value === null ? '' : text(x.value) };
  });
}

/** One page of a search answer; the token is an opaque offset. Empty lists are omitted, as in protobuf-JSON. */
export function page(all: unknown[], token: unknown, max: number, field: string): Json {
  const offset = token ? Number(Buffer.from(text(token), 'base64').toString('utf8')) || 0 : 0;
  const items = all.slice(offset, offset + max);
  const out: Json = {};
  if (items.length) out[field] = items;
  if (offset + max < all.length) out.next_page_token = Buffer.from(String(offset + max)).toString('base64');
  return out;
}
