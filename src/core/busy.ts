/**
 * Ctrl-C in a CPU-bound step. apidoctor's signal handlers are JavaScript: they run on the event loop, so
 * while a long synchronous step holds it (redacting a 16 MiB body, say: seconds on a loaded machine)
 * a Ctrl-C would wait for the step to end. For such a step the handlers are set aside: the signal then
 * has its default effect and ends the process at once (the shell reports 130 for SIGINT, 143 for
 * SIGTERM), which is what a user pressing Ctrl-C wants; they are back as soon as the step is over.
 * Small steps run as they are (setting the handlers aside costs a few system calls).
 */
export function interruptibleStep<T>(size: number, step: () => T): T {
  if (size < 512 * 1024) return step();
  const saved = (['SIGINT', 'SIGTERM'] as const).map((sig) => [sig, process.listeners(sig)] as const);
  for (const [sig, listeners] of saved) for (const l of listeners) process.removeListener(sig, l);
  try {
    return step();
  } finally {
    for (const [sig, listeners] of saved) for (const l of listeners) process.on(sig, l);
  }
}
