import { basename } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { connect } from './env.ts';
import { EXIT, toCliError } from './errors.ts';
import { downloadBatch } from './download.ts';
import { batchDetails, batchTable, estimateText } from './print.ts';
import { readBatchFile, type DefaultFlags } from './rows.ts';
import { hasFailures, watchBatches } from './watch.ts';

/**
 * `clipfleet`: ClipFleet from the command line, over the typed tRPC client (CLIPFLEET_URL, CLIPFLEET_KEY).
 * Exit codes: 0 done, 1 some tasks failed, 2 bad input (nothing submitted), 3 server unreachable or key refused.
 */

interface Globals {
  json?: boolean;
}

let exitCode: number = EXIT.ok;

function print(json: boolean | undefined, value: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

function addDefaults(cmd: Command): Command {
  return cmd
    .option('-m, --model <model>', 'model for rows that leave it out (default: the catalog\'s first)')
    .option('-r, --resolution <resolution>', 'resolution for rows that leave it out')
    .option('-d, --duration <seconds>', 'duration for rows that leave it out');
}

function defaultsOf(opts: DefaultFlags) {
  return { model: opts.model, resolution: opts.resolution, duration: opts.duration };
}

const program = new Command()
  .name('clipfleet')
  .description('Submit, follow and download ClipFleet batches. Set CLIPFLEET_URL (default http://localhost:3000) and CLIPFLEET_KEY.')
  .option('--json', 'machine-readable output on stdout (no progress bars)')
  .showHelpAfterError()
  .exitOverride();

addDefaults(
  program
    .command('submit')
    .description('submit a CSV (columns: prompt, model, resolution, duration, aspect_ratio, image_url) as one batch')
    .argument('<file>', 'the batch CSV'),
)
  .option('-n, --name <name>', 'batch name (default: the file name)')
  .option('--paused', 'create it paused (nothing is sent to KIE until resumed)')
  .option('-w, --watch', 'follow it to the end with a live progress bar; exit 1 if any task failed')
  .action(async (file: string, opts: DefaultFlags & { name?: string; paused?: boolean; watch?: boolean }) => {
    const { json } = program.opts<Globals>();
    const conn = connect();
    const batchFile = await readBatchFile(file, defaultsOf(opts), conn.client);
    const created = await conn.client.batch.create.mutate({
      name: opts.name ?? basename(file),
      rows: batchFile.rows,
      defaults: batchFile.defaults,
      ...(opts.paused ? { paused: true } : {}),
    });
    if (!opts.watch) {
      print(json, created, () => `Submitted batch ${created.batchId}: ${created.taskCount} tasks, ${created.creditsReserved} credits reserved.`);
      return;
    }
    if (!json) process.stdout.write(`Submitted batch ${created.batchId}: ${created.taskCount} tasks, ${created.creditsReserved} credits reserved.\n`);
    const [done] = await watchBatches(conn.client, [created.batchId], { bars: !json });
    print(json, { ...created, batch: done }, () => batchDetails(done!));
    if (hasFailures(done!)) exitCode = EXIT.someFailed;
  });

addDefaults(program.command('estimate').description('price a CSV and estimate its duration on your plan; nothing is submitted').argument('<file>', 'the batch CSV')).action(
  async (file: string, opts: DefaultFlags) => {
    const { json } = program.opts<Globals>();
    const conn = connect();
    const batchFile = await readBatchFile(file, defaultsOf(opts), conn.client);
    const estimate = await conn.client.batch.estimate.query({ rows: batchFile.rows, defaults: batchFile.defaults });
    const { rows: _rows, ...summary } = estimate;
    print(json, summary, () => estimateText(summary));
  },
);

program
  .command('status')
  .description('your recent batches, or one batch in detail; exit 1 if a finished batch has failures')
  .argument('[batch]', 'batch id')
  .action(async (batchId: string | undefined) => {
    const { json } = program.opts<Globals>();
    const { client } = connect();
    if (!batchId) {
      const page = await client.batch.list.query({ limit: 20 });
      print(json, page.items, () => batchTable(page.items));
      return;
    }
    const [batch, failures] = await Promise.all([client.batch.get.query({ batchId }), client.batch.failures.query({ batchId })]);
    print(json, { ...batch, failures }, () => batchDetails(batch, failures));
    if (batch.finishedAt !== null && hasFailures(batch)) exitCode = EXIT.someFailed;
  });

program
  .command('watch')
  .description('follow batches to their end with a live progress bar each; exit 1 if any task failed')
  .argument('<batch...>', 'batch ids')
  .action(async (batchIds: string[]) => {
    const { json } = program.opts<Globals>();
    const { client } = connect();
    const done = await watchBatches(client, batchIds, { bars: !json });
    print(json, done, () => done.map((b) => batchDetails(b)).join('\n\n'));
    if (done.some(hasFailures)) exitCode = EXIT.someFailed;
  });

program
  .command('cancel')
  .description('cancel every unfinished task of a batch (what never reached KIE is refunded)')
  .argument('<batch>', 'batch id')
  .action(async (batchId: string) => {
    const { json } = program.opts<Globals>();
    const result = await connect().client.batch.cancel.mutate({ batchId });
    print(json, result, () => `Batch ${result.batchId} is ${result.state}.`);
  });

program
  .command('retry')
  .description('re-queue the failed and timed-out tasks of a batch (each is reserved again)')
  .argument('<batch>', 'batch id')
  .option('-w, --watch', 'follow the batch to its end; exit 1 if any task failed again')
  .action(async (batchId: string, opts: { watch?: boolean }) => {
    const { json } = program.opts<Globals>();
    const { client } = connect();
    const result = await client.batch.retryFailed.mutate({ batchId });
    if (!opts.watch || result.retried === 0) {
      print(json, result, () => `Re-queued ${result.retried} task${result.retried === 1 ? '' : 's'} of batch ${result.batchId}.`);
      return;
    }
    const [done] = await watchBatches(client, [batchId], { bars: !json });
    print(json, { ...result, batch: done }, () => batchDetails(done!));
    if (hasFailures(done!)) exitCode = EXIT.someFailed;
  });

program
  .command('download')
  .description("download a batch's finished videos as one ZIP (with manifest.csv)")
  .argument('<batch>', 'batch id')
  .addOption(new Option('-o, --out <dir>', 'directory to write the ZIP into').default('.'))
  .action(async (batchId: string, opts: { out: string }) => {
    const { json } = program.opts<Globals>();
    const result = await downloadBatch(connect(), batchId, opts.out, { bars: !json });
    print(json, result, () => `Saved ${result.file} (${result.bytes.toLocaleString('en')} bytes).`);
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not errors; every usage error is bad input.
    exitCode = err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.ok : EXIT.badInput;
  } else {
    const e = toCliError(err);
    process.stderr.write(`clipfleet: ${e.message}\n${e.details.map((d) => `  ${d}\n`).join('')}`);
    if (program.opts<Globals>().json) process.stdout.write(`${JSON.stringify({ error: e.message, details: e.details, exitCode: e.exitCode })}\n`);
    exitCode = e.exitCode;
  }
}
// Open SSE connections and timers must not keep a finished command alive.
process.exit(exitCode);
