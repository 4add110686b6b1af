import { Command, CommanderError, Option } from 'commander';
import { ErrandError } from '../contract/errors';
import { fail, type Globals } from './context';

// The CLI's entry. Only commander and this file load up front; each command's code is
// imported when it runs, so `errand add` stays close to a bare `node -e 0`.

const program = new Command('errand')
  .description('Errand: a job queue for agent work you can see and steer.')
  .option('--home <dir>', 'data dir (default: $ERRAND_HOME, else the app-data dir the tray app uses)')
  .showHelpAfterError('(run errand --help for usage)')
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })
  .exitOverride();

const globals = (cmd: Command): Globals => cmd.optsWithGlobals() as Globals;
const jobs = () => import('./commands/jobs');
const watch = () => import('./commands/watch');
const inJob = () => import('./commands/in-job');

program
  .command('serve')
  .description('run the host in the foreground (the tray app embeds the same host)')
  .option('--ui', 'also serve the job window over HTTP on 127.0.0.1')
  .option('--port <n>', 'port for --ui (0 picks a free one)', '7345')
  .option('--open', 'open the job window in the default browser')
  .action(async (o, cmd: Command) => (await import('./commands/serve')).serve(globals(cmd), o));

program
  .command('add')
  .description('enqueue a command; prints the new job id')
  .usage('[options] -- CMD [ARG...]')
  .option('--title <text>', 'title shown in lists (default: the command)')
  .option('--cwd <dir>', 'directory to run in (default: here)')
  .option('--priority <n>', 'higher runs first, -1000…1000', '0')
  .option('--after <ids>', 'start only after these jobs succeeded (comma-separated)')
  .option('--label <name>', 'label the job (repeatable)', collect, [])
  .option('--retries <n>', 'retry automatically up to N times on failure, with backoff', '0')
  .option('--timeout <duration>', 'fail the attempt after this long (e.g. 30s, 5m, 2h)')
  .option('--delay <duration>', 'start no earlier than this long from now')
  .option('--restartable', 'requeue instead of marking interrupted if the host dies under it')
  .option('--patch', 'capture the changes it makes as a patch result (in a git repo it runs in its own worktree)')
  .option('--isolate <mode>', 'auto (default: a worktree for --patch in a git repo), worktree, or none (run in place)')
  .option('--shell', 'run CMD as one shell line (default when a single argument contains spaces)')
  .option('--plan <steps>', 'planned steps, comma-separated')
  .option('--json', 'print the job as JSON')
  .argument('<cmd...>')
  .action(async (cmd: string[], o, c: Command) => (await jobs()).add(globals(c), cmd, o));

program
  .command('agent')
  .description('enqueue a coding agent on a task; prints the new job id')
  .usage('--with codex|claude|gemini|opencode [options] -- "TASK"')
  .option('--with <agent>', 'which agent: codex, claude, gemini or opencode')
  .option('--cwd <dir>', 'the project to work in (default: here)')
  .option('--model <name>', 'the model (default: the settings, else the agent\'s own)')
  .option('--endpoint <url>', 'the API base URL (default: the settings, else the agent\'s own)')
  .option('--isolate <mode>', 'auto (default: its own git worktree in a repo), worktree, or none')
  .option('--timeout <duration>', 'stop it after this long (e.g. 30m)')
  .option('--stall <duration>', 'stop it after this long without any event from the agent (default 5m)')
  .option('--title <text>', 'title shown in lists (default: the task)')
  .option('--priority <n>', 'higher runs first, -1000…1000', '0')
  .option('--after <ids>', 'start only after these jobs succeeded (comma-separated)')
  .option('--label <name>', 'label the job (repeatable)', collect, [])
  .option('--task-file <file>', 'read the task from a file (- for stdin)')
  .option('--json', 'print the job as JSON')
  .argument('[task...]')
  .action(async (task: string[], o, c: Command) => (await import('./commands/agent')).agent(globals(c), task, o));

const config = program.command('config').description('read or change the settings (agent binaries, endpoints, models, …)');
config
  .command('get')
  .description('print the settings, or one of them (e.g. agents.codex.model)')
  .argument('[key]')
  .option('--json', 'print JSON')
  .action(async (key: string | undefined, o, c: Command) => (await import('./commands/config')).get(globals(c), key, o));
config
  .command('set')
  .description('change a setting, e.g. errand config set agents.claude.bin /opt/claude/bin/claude')
  .argument('<key>')
  .argument('[value]')
  .option('--unset', 'remove the setting')
  .option('--json', 'print the settings as JSON')
  .action(async (key: string, value: string | undefined, o, c: Command) => (await import('./commands/config')).set(globals(c), key, value, o));

program
  .command('batch')
  .description('enqueue many shell lines at once (one job per non-empty line); prints the ids')
  .argument('<file>', 'a file of commands, or - for stdin')
  .option('--cwd <dir>', 'directory to run in (default: here)')
  .option('--priority <n>', 'higher runs first, -1000…1000', '0')
  .option('--label <name>', 'label the jobs (repeatable)', collect, [])
  .option('--retries <n>', 'retry automatically up to N times on failure', '0')
  .action(async (file: string, o, c: Command) => (await jobs()).batch(globals(c), file, o));

program
  .command('ls')
  .description('list jobs: every unfinished one and the newest finished')
  .option('--status <list>', 'only these statuses (comma-separated)')
  .option('--all', 'every finished job too, not only the newest 50')
  .option('--json', 'print every matching job as JSON')
  .action(async (o, c: Command) => (await import('./commands/ls')).ls(globals(c), o));

program
  .command('show')
  .description('one job in detail: status, plan and steps, attempts, events')
  .argument('<id>')
  .option('--json', 'print JSON')
  .action(async (id: string, o, c: Command) => (await jobs()).show(globals(c), id, o));

program
  .command('logs')
  .description("print a job's output, byte for byte")
  .argument('<id>')
  .option('-f, --follow', 'keep printing as it runs')
  .option('--attempt <n>', 'an earlier attempt')
  .action(async (id: string, o, c: Command) => (await watch()).logs(globals(c), id, o));

program
  .command('wait')
  .description('follow jobs until they finish; exit 0 only if all succeeded')
  .argument('<ids...>')
  .option('--json', 'print the final jobs as JSON')
  .action(async (ids: string[], o, c: Command) => (await watch()).wait(globals(c), ids, o));

for (const [name, method, what] of [
  ['cancel', 'cancel', 'stop jobs (running ones get SIGTERM, then SIGKILL)'],
  ['retry', 'retry', 'run finished jobs again: same id, new attempt'],
  ['hold', 'hold', 'keep queued jobs from starting'],
  ['release', 'release', 'let held jobs start again'],
] as const) {
  program
    .command(name)
    .description(what)
    .argument('<ids...>')
    .option('--json', 'print the jobs as JSON')
    .action(async (ids: string[], o, c: Command) => (await jobs()).bulk(globals(c), method, ids, o));
}

program
  .command('prio')
  .description("change a job's priority (higher runs first)")
  .argument('<id>')
  .argument('<priority>')
  .action(async (id: string, p: string, _o, c: Command) => (await jobs()).prio(globals(c), id, p));

program
  .command('pause')
  .description('pause the queue: running jobs go on, nothing new starts')
  .action(async (_o, c: Command) => (await jobs()).queue(globals(c), 'pause'));
program
  .command('resume')
  .description('resume the queue')
  .action(async (_o, c: Command) => (await jobs()).queue(globals(c), 'resume'));
program
  .command('parallel')
  .description('show or set how many jobs run at once')
  .argument('[n]')
  .action(async (n: string | undefined, _o, c: Command) => (await jobs()).parallel(globals(c), n));

for (const verb of ['approve', 'deny'] as const) {
  program
    .command(verb)
    .description(`${verb} the question a waiting job asked`)
    .argument('<id>')
    .option('--note <text>', 'a note the job and the audit trail keep')
    .option('--for-job', verb === 'approve' ? "approve this kind of request for the rest of the job (an agent's tool)" : 'ignored for deny')
    .option('--json', 'print the decided approval as JSON')
    .action(async (id: string, o, c: Command) => (await jobs()).decide(globals(c), verb, id, o));
}

program
  .command('result')
  .description("print a job's result: the patch, report, JSON or file list")
  .argument('<id>')
  .option('--attempt <n>', 'an earlier attempt')
  .option('--json', 'print the typed result object')
  .action(async (id: string, o, c: Command) => (await jobs()).result(globals(c), id, o));

program
  .command('apply')
  .description("apply a job's patch result to the tree it was made from (three-way where it must)")
  .argument('<id>')
  .option('--json', 'print the outcome as JSON')
  .action(async (id: string, o, c: Command) => (await jobs()).apply(globals(c), id, o));

program
  .command('rm')
  .description('remove finished jobs and their logs (ids are never reused)')
  .argument('<ids...>')
  .action(async (ids: string[], _o, c: Command) => (await jobs()).rm(globals(c), ids));

program
  .command('clean')
  .description('remove finished jobs')
  .option('--older-than <duration>', 'only those finished longer ago than this (e.g. 7d)')
  .action(async (o, c: Command) => (await jobs()).clean(globals(c), o));

program
  .command('status')
  .description('the one-line status the tray shows')
  .option('--json', 'print JSON')
  .action(async (o, c: Command) => (await jobs()).status(globals(c), o));

program
  .command('shutdown')
  .description('stop the host; running jobs are recorded as interrupted')
  .action(async (_o, c: Command) => (await jobs()).shutdown(globals(c)));

program
  .command('mcp')
  .description('serve Errand to MCP clients (Claude Code, Codex, Cursor, …) over stdio')
  .option('--print-config <client>', 'print the config snippet for claude, codex or cursor')
  .action(async (o, c: Command) => (await import('./commands/mcp')).mcp(globals(c), o));

// Inside a job (ERRAND_JOB_ID is set):
program
  .command('progress')
  .description('inside a job: report progress, e.g. errand progress 3/10 files')
  .argument('<n/m>')
  .argument('[label...]')
  .option('--unit <unit>', 'what is counted (files, MB, …)')
  .action(async (nm: string, label: string[], o, c: Command) => (await inJob()).progress(globals(c), nm, label, o));

program
  .command('step')
  .description('inside a job: start a named step (the previous one is done)')
  .argument('<name...>')
  .addOption(new Option('--status <s>', 'mark the step instead of starting it').choices(['done', 'failed', 'skipped']))
  .action(async (name: string[], o, c: Command) => (await inJob()).step(globals(c), name, o));

program
  .command('plan')
  .description('inside a job: declare the planned steps')
  .argument('<steps...>')
  .action(async (steps: string[], _o, c: Command) => (await inJob()).plan(globals(c), steps));

program
  .command('ask')
  .description('inside a job: ask for approval and wait; exit 0 approved, 1 denied')
  .argument('<question...>')
  .option('--context <file>', 'context shown with the question (a diff, a command); - for stdin')
  .action(async (q: string[], o, c: Command) => (await inJob()).ask(globals(c), q, o));

program
  .command('set-result')
  .alias('report-result')
  .description('inside a job: set its result')
  .option('--json <file>', 'a JSON payload (- for stdin)')
  .option('--report <file>', 'a markdown report')
  .option('--patch <file>', 'a unified diff')
  .option('--files <paths...>', 'a list of files')
  .option('--summary <text>', 'one line saying what it is')
  .action(async (o, c: Command) => (await inJob()).setResult(globals(c), o));

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

// `errand result --json FILE` inside a job (DESIGN's spelling) means set-result.
const argv = process.argv.slice(2);
if (argv[0] === 'result' && process.env.ERRAND_JOB_ID && argv.some((a) => ['--json', '--report', '--patch', '--files'].includes(a)) && !/^#?\d+$/.test(argv[1] ?? '')) {
  argv[0] = 'set-result';
}

program.parseAsync(argv, { from: 'user' }).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 2;
    return;
  }
  const json = argv.includes('--json');
  fail(e instanceof ErrandError ? e : e, json);
});
