// Runs contract cases as raw HTTP against any MLflow base URL and normalises what came back, so the
// mock, the real server and recorded fixtures can be compared exactly.
// Normalisation (documented in fixtures/mlflow/README.md): run ids -> <run:N> in order of appearance,
// server clocks -> <now>, generated run and logged-model names -> <generated>, page tokens -> <token>, and error
// messages cut where the SQL store appends its driver detail (" Error: (sqlite3...").
import type { ContractCase, Step } from './cases.ts';

export interface StepResult {
  status: number;
  body: unknown;
}

export interface CaseResult {
  name: string;
  steps: StepResult[];
}

const TIME_KEYS = new Set([
  'start_time',
  'end_time',
  'creation_time',
  'last_update_time',
  'creation_timestamp',
  'last_updated_timestamp',
  'timestamp',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
]);
const GENERATED_NAME = /^[a-z]+-[a-z]+-\d+$/;

function substitute<T>(value: T, vars: Record<string, string>): T {
  if (typeof value === 'string') return value.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? `{{${k}}}`) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  return value;
}

function pick(body: unknown, path: string): string | undefined {
  let node: unknown = body;
  for (const part of path.split('.'))
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
  return node === undefined ? undefined : typeof node === 'string' ? node : JSON.stringify(node);
}

async function send(
  base: string,
  step: Step,
  vars: Record<string, string>,
): Promise<{ status: number; text: string; contentType: string }> {
  const url = new URL(substitute(step.path, vars), base);
  for (const [k, v] of Object.entries(substitute(step.query ?? {}, vars)))
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, item);
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (step.raw !== undefined) body = substitute(step.raw, vars);
  else if (step.body !== undefined) body = JSON.stringify(substitute(step.body, vars));
  const contentType =
    step.contentType === undefined
      ? body !== undefined && step.method !== 'PUT'
        ? 'application/json'
        : undefined
      : (step.contentType ?? undefined);
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(url, { method: step.method, headers, body });
  return { status: res.status, text: await res.text(), contentType: res.headers.get('content-type') ?? '' };
}

export async function runCase(base: string, c: ContractCase): Promise<CaseResult> {
  const vars: Record<string, string> = {};
  const raw: { status: number; body: unknown }[] = [];
  for (const step of c.steps) {
    const res = await send(base, step, vars);
    let body: unknown;
    if (res.contentType.includes('text/html')) body = res.text.trim() ? '<html page>' : '';
    else {
      try {
        body = res.text ? JSON.parse(res.text) : '';
      } catch {
        body = res.text.trim();
      }
    }
    for (const [name, path] of Object.entries(step.save ?? {})) {
      const v = pick(body, path);
      if (v !== undefined) vars[name] = v;
    }
    raw.push({ status: res.status, body });
  }
  return { name: c.name, steps: normalise(raw) };
}

export async function runCases(base: string, cases: ContractCase[]): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) out.push(await runCase(base, c));
  return out;
}

/** Normalises the results of one case; run ids are numbered in order of first appearance. */
export function normalise(results: { status: number; body: unknown }[]): StepResult[] {
  const runIds = new Map<string, string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const id of v.match(/\b[0-9a-f]{32}\b/g) ?? [])
        if (!runIds.has(id)) runIds.set(id, `<run:${runIds.size + 1}>`);
    } else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object') Object.values(v).forEach(collect);
  };
  results.forEach((r) => collect(r.body));
  const fixString = (s: string): string => {
    let out = s;
    for (const [id, label] of runIds) out = out.split(id).join(label);
    return out;
  };
  const walk = (v: unknown, key?: string, parent?: Record<string, unknown>): unknown => {
    if (typeof v === 'number' && key && TIME_KEYS.has(key) && v > 1e12) return '<now>';
    if (typeof v === 'string') {
      if (key === 'next_page_token') return '<token>';
      const named = key === 'run_name' || (key === 'name' && parent?.model_id !== undefined);
      if ((named || (key === 'value' && parent?.key === 'mlflow.runName')) && GENERATED_NAME.test(v))
        return '<generated>';
      if (key === 'message') return fixString(v.split(' Error: (')[0]!.split('\n')[0]!);
      return fixString(v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, k, o)]));
    }
    return v;
  };
  return results.map((r) => ({ status: r.status, body: walk(r.body) }));
}
