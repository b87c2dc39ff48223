// The baseline of the log bench: a plain Node `readline` loop over a file, counting its lines.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

let lines = 0;
for await (const line of createInterface({ input: createReadStream(process.argv[2]), crlfDelay: Infinity })) if (line.length >= 0) lines++;
process.stdout.write(`${lines}\n`);
