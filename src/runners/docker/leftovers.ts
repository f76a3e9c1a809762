import type { DockerEngine } from './engine-client.js';
import { controllerIsDead, LABEL } from './labels.js';

/**
 * Removes the containers of controllers that died without stopping them (SIGKILL, a crash, a reboot
 * of the controller but not of the daemon). Containers of live controllers are left alone, so one
 * controller's start never kills another's running trials. Returns the names it removed.
 */
export async function removeDockerLeftovers(engine: DockerEngine): Promise<string[]> {
  const removed: string[] = [];
  for (const container of await engine.listContainers([LABEL.controller])) {
    if (!controllerIsDead(container.Labels[LABEL.controller])) continue;
    await engine.removeContainer(container.Id);
    removed.push(container.Names[0]?.replace(/^\//, '') ?? container.Id.slice(0, 12));
  }
  return removed;
}
