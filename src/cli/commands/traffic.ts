import type { Command } from 'commander';
import { addConnectionOptions, type Cli, session } from '../context.js';
import { renderPromotion } from '../render.js';
import { activeOfPlatform } from '../resolve.js';
import { addExamples, percent } from './shared.js';

export function registerTraffic(program: Command, cli: Cli): void {
  const command = program
    .command('traffic')
    .description("set the green weight of a platform's active promotion by hand (pauses automatic stepping)")
    .argument('<platform>', 'platform name')
    .requiredOption('--green <percent>', 'percent of traffic to send to green, 0-100', percent);
  addExamples(command, [
    ['traffic shop --green 0', 'hold all traffic on blue while you look (stepping pauses)'],
    ['traffic shop --green 25', 'send a quarter of the traffic to green'],
    ['resume shop', 'then hand control back to the promotion'],
  ]);
  addConnectionOptions(command, true).action(
    async (platform: string, flags: { green: number }, cmd: Command) => {
      const s = session(cli, cmd);
      const id = await activeOfPlatform(s.client, platform);
      const updated = await s.client.setTraffic(id, flags.green);
      s.emit(
        updated,
        () =>
          `${id}: green ${flags.green}% requested; automatic stepping is paused (continue: switchyard resume ${id})` +
          `\n\n${renderPromotion(updated)}`,
      );
    },
  );
}
