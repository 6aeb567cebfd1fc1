/**
 * Crash-test hook, inert unless its environment variable is set. The crash test (test/integration/
 * crash-apply.test.ts) runs apply in a child process with TIDEMARK_TEST_KILL_AFTER_STEP=n: the process kills
 * itself with SIGKILL right after step n's statement succeeded and before the ledger records it (for a
 * transactional group: before its COMMIT), the worst moment to die. SIGKILL gives no chance to clean up,
 * exactly like an OOM kill or a lost machine. (Kills inside a running statement are done by the test itself.)
 */
export function killHookAfterStep(n: number): void {
  const value = process.env.TIDEMARK_TEST_KILL_AFTER_STEP;
  if (value !== undefined && Number(value) === n) process.kill(process.pid, 'SIGKILL');
}
