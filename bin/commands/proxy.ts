import { Command } from 'commander';
import { BackupProxy } from '../../proxy/backup-proxy.ts';
import { proxyConfigFor } from '../../proxy/config.ts';
import { classify, type ProxyError } from '../../proxy/errors.ts';
import { JOB_SPEC_HELP, parseJobSpec, type JobSpec } from '../../proxy/cli/job-spec.ts';
import { readLabFile } from '../../proxy/cli/lab-file.ts';
import { jobSummary, type JobRow } from '../format/job-summary.ts';

function run(proxy: BackupProxy, job: JobSpec): Promise<unknown> {
  switch (job.type) {
    case 'vm-backup':
      return proxy.backupVm(job.params);
    case 'sql-backup':
      return proxy.backupSql(job.params);
    case 'sql-restore':
      return proxy.restoreSql(job.params);
    case 'dr-restore':
      return proxy.restoreDr(job.params);
  }
}

/**
 * The simulated proxy on its own, against a lab it knows only from a file: a lab started with
 * `bpsim up` in another terminal, or a docker-compose deployment (`/certs/lab.json`).
 */
export function proxyCommand(): Command {
  return new Command('proxy')
    .description('run the simulated backup proxy against a running lab, described by `bpsim up --json` output or a deployment lab.json')
    .requiredOption('--lab <file>', 'lab description: endpoints, credentials and CA (caPem or caFile)')
    .argument('<jobs...>', 'jobs to run in order (see below)')
    .option('--name <name>', 'proxy name to activate with (each name activates once per cloud)', `proxy-${process.pid}`)
    .option('--standalone <esxi-host>', 'register to this standalone ESXi host instead of vCenter')
    .option('--json', 'print one JSON line per job instead of the log and summary')
    .addHelpText('after', `\nJobs:\n  ${JOB_SPEC_HELP}\n\nExample:\n  bpsim up --json > lab.json &   # in another terminal: bpsim up --json > lab.json\n  bpsim proxy --lab lab.json vm-backup:web01 sql-backup:sql01:full dr-restore:web01:web01-dr`)
    .action(async (specs: string[], opts: { lab: string; name: string; standalone?: string; json?: boolean }) => {
      const jobs = specs.map(parseJobSpec);
      const lab = await readLabFile(opts.lab);
      const proxy = new BackupProxy(proxyConfigFor(lab, { name: opts.name, standaloneHost: opts.standalone }));
      if (!opts.json) proxy.events.on('log', (l) => process.stdout.write(`${l.level === 'info' ? '' : l.level.toUpperCase() + ' '}${l.message}\n`));
      const rows: JobRow[] = [];
      try {
        for (const job of jobs) {
          const t0 = performance.now();
          let result: unknown;
          let error: ProxyError | undefined;
          try {
            result = await run(proxy, job);
          } catch (err) {
            error = classify(err);
            if (!opts.json) process.stdout.write(`ERROR ${job.type} ${job.params.vm}: ${error.errorClass}: ${error.message}\n`);
          }
          const row: JobRow = { type: job.type, params: job.params, status: error ? 'failed' : 'succeeded', result, error, seconds: (performance.now() - t0) / 1000 };
          rows.push(row);
          if (opts.json) process.stdout.write(JSON.stringify({ ...row, error: error && { errorClass: error.errorClass, message: error.message } }) + '\n');
        }
      } finally {
        proxy.close();
      }
      if (!opts.json) process.stdout.write('\n' + jobSummary(rows) + '\n');
      process.exitCode = rows.every((r) => r.status === 'succeeded') ? 0 : 1;
    });
}
