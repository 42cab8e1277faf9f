// Numeric flags past what they can mean are bad input naming the flag, not values Node quietly changes: a delay
// past a Node timer's 2^31 - 1 ms fires at once (mock-mlflow --latency-ms 3e9 served answers with no latency).
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

describe('numeric flag ranges', () => {
  it.each(['3e9', '2147483648', '1e400', '-1', 'NaN'])('mock-mlflow --latency-ms %s: exit 2, no server', async (ms) => {
    const r = await cli(['mock-mlflow', '--port', '0', '--latency-ms', ms]);
    expect(r).toEqual({
      code: 2,
      out: '',
      err: `--latency-ms must be milliseconds from 0 to 2147483647; got "${ms}"\n`,
    });
  });
});
