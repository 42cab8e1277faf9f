/**
 * Set in trials run under an instruction-count instrument (TRACKBENCH_DETERMINISTIC=1): the same pipeline then
 * executes the same instructions whatever the machine's load. Node work is counted in iterations, not by a clock
 * (work.ts), and file datasets are read and written synchronously (catalog.ts): no thread-pool completions for the
 * event loop to take one by one on a quiet machine and in batches on a busy one.
 */
export const deterministic = process.env.TRACKBENCH_DETERMINISTIC === '1';
