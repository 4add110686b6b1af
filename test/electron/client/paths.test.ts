import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { defaultHome, socketPath } from '../../../electron/client/node/paths';

describe('socketPath', () => {
  test('Windows: a pipe named by a hash of the whole home and the user', () => {
    const pipe = (home: string, user: string) => socketPath(home, 'win32', user);
    const a = pipe('C:\\Users\\ada\\AppData\\Roaming\\Errand', 'ada');
    expect(a).toMatch(/^\\\\\.\\pipe\\errand-[0-9a-f]{32}$/);
    // same home and user: same pipe (the CLI and the tray app meet); case does not matter on Windows
    expect(pipe('C:\\Users\\ada\\AppData\\Roaming\\Errand', 'ada')).toBe(a);
    expect(pipe('c:\\users\\ADA\\appdata\\roaming\\errand', 'ada')).toBe(a);
    // every user's default home ends alike: the old name (its last bytes) gave them one pipe
    expect(pipe('C:\\Users\\bob\\AppData\\Roaming\\Errand', 'bob')).not.toBe(a);
    // another user on the same home, or another home that shares a long tail, is another pipe
    expect(pipe('C:\\Users\\ada\\AppData\\Roaming\\Errand', 'bob')).not.toBe(a);
    expect(pipe('D:\\Users\\ada\\AppData\\Roaming\\Errand', 'ada')).not.toBe(a);
  });

  test('elsewhere: the socket in the data dir; a home too deep for sun_path gets a private dir under the temp dir', () => {
    expect(socketPath('/home/ada/.config/Errand', 'linux', 'ada')).toBe('/home/ada/.config/Errand/errand.sock');
    const deep = `/tmp/${'d'.repeat(120)}`;
    const p = socketPath(deep, 'linux', 'ada');
    expect(Buffer.byteLength(p)).toBeLessThan(104);
    expect(path.dirname(p)).toMatch(new RegExp(`^${os.tmpdir().replace(/[/\\]/g, '.')}.errand-[0-9a-f]{16}$`));
    expect(path.basename(p)).toBe('errand.sock');
    expect(socketPath(deep, 'linux', 'ada')).toBe(p);
    expect(socketPath(`${deep}x`, 'linux', 'ada')).not.toBe(p);
    expect(socketPath(deep, 'linux', 'bob')).not.toBe(p);
  });
});

describe('defaultHome', () => {
  test('ERRAND_HOME first, then the platform’s app-data dir', () => {
    expect(defaultHome({ ERRAND_HOME: 'rel/dir' }, 'linux')).toBe(path.resolve('rel/dir'));
    expect(defaultHome({ XDG_CONFIG_HOME: '/x' }, 'linux')).toBe('/x/Errand');
    expect(defaultHome({}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Application Support', 'Errand'));
    expect(defaultHome({ APPDATA: 'C:\\AppData' }, 'win32')).toBe(path.join('C:\\AppData', 'Errand'));
  });
});
