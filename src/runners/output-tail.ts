/**
 * The last lines a server wrote (a container's log, a pod's log), bounded, as the end of an error
 * message — `; its last output: a | b` — or '' when it wrote nothing, so the reason a trial failed is
 * in its record after the instance is gone.
 */
export function outputTail(output: string): string {
  const lines = output.trim().split('\n').filter(Boolean).slice(-8);
  return lines.length > 0 ? `; its last output: ${lines.join(' | ').slice(-1200)}` : '';
}
