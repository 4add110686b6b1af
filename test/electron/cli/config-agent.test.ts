import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { errand, json, stopHost } from '../../helpers/cli';
import { tempHome } from '../../helpers/temp-home';

// `errand config` and the input checks of `errand agent`, black-box against a real host.

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome('errand-config-'));
});
afterAll(() => {
  stopHost(home);
  cleanup();
});

describe('errand config', () => {
  test('set, get one, get all, unset; values typed as JSON when they are', () => {
    expect(errand(home, ['config', 'get']).stdout.trim()).toBe('No settings yet. Set one: errand config set agents.codex.model gpt-5');
    expect(errand(home, ['config', 'set', 'agents.codex.model', 'gpt-5.1']).stdout.trim()).toBe('agents.codex.model = "gpt-5.1"');
    expect(errand(home, ['config', 'set', 'agents.claude.stallSeconds', '120']).stdout.trim()).toBe('agents.claude.stallSeconds = 120');
    expect(errand(home, ['config', 'set', 'agents.gemini.args', '["--sandbox","false"]']).code).toBe(0);
    expect(errand(home, ['config', 'get', 'agents.codex.model']).stdout.trim()).toBe('gpt-5.1');
    expect(errand(home, ['config', 'get']).stdout.trim().split('\n')).toEqual([
      'agents.claude.stallSeconds = 120',
      'agents.codex.model = "gpt-5.1"',
      'agents.gemini.args = ["--sandbox","false"]',
    ]);
    expect(json(errand(home, ['config', 'get', '--json']))).toEqual({ agents: { codex: { model: 'gpt-5.1' }, claude: { stallSeconds: 120 }, gemini: { args: ['--sandbox', 'false'] } } });
    expect(errand(home, ['config', 'set', 'agents.codex.model', '--unset']).stdout.trim()).toBe('agents.codex.model unset');
    expect(errand(home, ['config', 'get', 'agents.codex.model'])).toMatchObject({ code: 1, stderr: 'errand: agents.codex.model is not set. errand config get lists every setting.\n' });
  });

  test('a bad key or value is refused saying which, and nothing changes', () => {
    const before = errand(home, ['config', 'get', '--json']).stdout;
    expect(errand(home, ['config', 'set', 'agents.cursor.model', 'x'])).toMatchObject({ code: 2, stderr: 'errand: Invalid setting: there is no setting agents.cursor.\n' });
    expect(errand(home, ['config', 'set', 'agents.codex.endpoint', 'not a url'])).toMatchObject({ code: 2, stderr: 'errand: Invalid setting: agents.codex.endpoint must be a URL like http://127.0.0.1:8080/v1.\n' });
    expect(errand(home, ['config', 'set', 'agents.codex.stallSeconds', '-5']).code).toBe(2);
    expect(errand(home, ['config', 'set', 'agents.codex.model']).stderr).toBe('errand: Give a value: errand config set agents.codex.model VALUE (or --unset).\n');
    expect(errand(home, ['config', 'get', '--json']).stdout).toBe(before);
  });
});

describe('errand agent: input', () => {
  test('the agent and the task are required and checked', () => {
    expect(errand(home, ['agent', '--', 'fix it'])).toMatchObject({ code: 2, stderr: 'errand: Choose the agent with --with codex|claude|gemini|opencode.\n' });
    expect(errand(home, ['agent', '--with', 'cursor', '--', 'fix it'])).toMatchObject({ code: 2, stderr: "errand: --with must be one of codex, claude, gemini, opencode, not 'cursor'.\n" });
    expect(errand(home, ['agent', '--with', 'codex'])).toMatchObject({ code: 2, stderr: 'errand: No task given. Usage: errand agent --with codex -- "what to do"\n' });
    expect(errand(home, ['agent', '--with', 'codex', '--isolate', 'maybe', '--', 'x']).stderr).toBe("errand: --isolate must be auto, worktree or none, not 'maybe'.\n");
    expect(errand(home, ['agent', '--with', 'codex', '--stall', 'soon', '--', 'x']).stderr).toBe("errand: --stall must be a duration of a second or more, like 90s or 5m, not 'soon'.\n");
  });

  test('a binary that is not there is refused when the job is added, naming the package', () => {
    errand(home, ['config', 'set', 'agents.opencode.bin', '/nonexistent/opencode']);
    const r = errand(home, ['agent', '--with', 'opencode', '--', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/opencode: \/nonexistent\/opencode \(agents\.opencode\.bin in the settings\) is not an executable file|This Errand cannot run opencode yet/);
    expect(json<unknown[]>(errand(home, ['ls', '--json']))).toEqual([]);
  });
});
