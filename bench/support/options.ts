/** `--smoke` or BENCH_SMOKE=1: every figure at tiny scale, for CI (pass/fail then says little about performance). */
export const SMOKE = process.argv.includes('--smoke') || process.env.BENCH_SMOKE === '1';

/** Picks the full-scale or the smoke-scale value. */
export const scale = <T>(full: T, smoke: T): T => (SMOKE ? smoke : full);

export { sleep } from '../../src/common/sleep';
