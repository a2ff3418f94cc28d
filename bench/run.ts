/**
 * `make bench`: runs every bench/*.bench.ts (or those whose names contain an argument) one after
 * another, each in its own process, then prints the figures side by side with this machine's
 * description. Exits non-zero only when a benchmark crashed; a goal not met is a figure, not a failure.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Figure } from './support.js';

const benchDir = import.meta.dirname;
const filters = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts'))
  .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
  .sort();

const figures: Figure[] = [];
const crashed: string[] = [];
for (const file of files) {
  console.log(`\n=== ${file}`);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(benchDir, file)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('FIGURE ')) figures.push(JSON.parse(line.slice('FIGURE '.length)) as Figure);
      }
    });
    child.on('close', (exit) => resolve(exit ?? 1));
  });
  if (code !== 0) crashed.push(`${file} (exit ${code})`);
}

const cpu = cpus();
console.log(
  `\nSummary — ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);
console.log('| Figure | Measured | Goal | Met |\n|---|---|---|---|');
for (const f of figures) {
  console.log(
    `| ${f.id} ${f.title} | ${f.value.toFixed(2)} ${f.unit} | ${f.goal} | ${f.met ? 'yes' : 'no'} |`,
  );
}
if (crashed.length > 0) {
  console.error(`bench: these crashed: ${crashed.join(', ')}`);
  process.exitCode = 1;
}
