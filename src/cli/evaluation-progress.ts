/**
 * Progress lines of a long evaluation on stderr: at most one every two seconds, except the
 * milestones (ingesting, reusing a corpus, the tenant) that are always shown.
 */
export function evaluationProgress(): (message: string) => void {
  let lastProgress = 0;
  return (message) => {
    if (Date.now() - lastProgress < 2_000 && !/^(ingesting|reusing|tenant)/.test(message)) return;
    lastProgress = Date.now();
    process.stderr.write(`eval: ${message}\n`);
  };
}
