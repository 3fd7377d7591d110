// Gathering lookups made in the same turn of the event loop into one query: the deliveries a
// worker claimed together start at once, and each reading its own rows would cost a round trip
// apiece (on this kind of machine each round trip costs the server more CPU than the lookup).

/** Calls `load` once per turn with every input asked for in that turn; each caller gets the output at its input's index. */
export function tickBatcher<I, O>(load: (inputs: I[]) => Promise<O[]>): (input: I) => Promise<O> {
  let waiting: { input: I; resolve: (output: O) => void; reject: (error: unknown) => void }[] = [];
  const flush = async () => {
    const batch = waiting;
    waiting = [];
    try {
      const outputs = await load(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(outputs[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  };
  return (input) =>
    new Promise<O>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(() => void flush());
      waiting.push({ input, resolve, reject });
    });
}
