/**
 * Runs `body` with Ctrl-C (and SIGTERM) wired to a clean stop: the first signal aborts the signal given
 * to `body` (running trials are requeued and the run can be resumed), a second one quits at once.
 */
export async function withInterrupts<T>(
  progress: NodeJS.WritableStream,
  body: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    progress.write(
      `\n${signal}: stopping after cleanup (again to quit at once); run the same command to resume\n`,
    );
    controller.abort(new Error(signal));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
