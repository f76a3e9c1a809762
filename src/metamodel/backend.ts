import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export { tf };

let ready: Promise<void> | undefined;

/**
 * Selects TensorFlow.js's WebAssembly backend (once per process) and waits until it is ready. Every
 * entry point of the meta-model code awaits this first: the WASM backend is ~10x faster than the pure
 * JavaScript one here, and deterministic (single-threaded, same kernels on every run). The native
 * `@tensorflow/tfjs-node` binding is not used.
 *
 * Numerical note: nested `tf.grad` (second-order, needed by MAML) was measured correct for ReLU and
 * softplus but silently wrong for tanh, sigmoid, exp and elu in tfjs 4.22 — which is why the network
 * is ReLU-only, and why a finite-difference test guards the meta-gradient.
 */
export function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    const events = ['uncaughtException', 'unhandledRejection'];
    const emitter = process as unknown as NodeJS.EventEmitter;
    const before = events.map((event) => new Set(emitter.listeners(event)));
    try {
      if (tf.getBackend() !== 'wasm') {
        const ok = await tf.setBackend('wasm');
        if (!ok) throw new Error('TensorFlow.js: the WebAssembly backend could not be initialised');
      }
      await tf.ready();
    } finally {
      // The Emscripten module installs process-wide handlers that rethrow every uncaught exception and
      // unhandled rejection — from its own frame, so Node prints a screenful of minified WASM glue
      // instead of the real error. Node's defaults already crash on both; drop the handlers.
      events.forEach((event, i) => {
        for (const listener of emitter.listeners(event)) {
          if (!before[i]?.has(listener))
            emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      });
    }
  })();
  return ready;
}
