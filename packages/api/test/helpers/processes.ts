import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { resolve } from 'node:path';

/** Real server processes for crash tests: started with `node --import tsx`, killed with SIGKILL. */
const API_DIR = resolve(import.meta.dirname, '../..');

export interface Launched {
  child: ChildProcess;
  output: string[];
  url: string;
  devKey: string | undefined;
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createNetServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
    srv.on('error', rej);
  });
}


/** `node --import tsx src/main.ts` (no tsx wrapper process, so SIGKILL hits the server itself). */
export async function launch(env: Record<string, string>): Promise<Launched> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: API_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${output.join('')}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const text = output.join('');
      const url = /listening on (http:\/\/\S+)/.exec(text)?.[1];
      const ready = url && (/Dev user created/.test(text) || /Admin key|resumed/.test(text) || env.ADMIN_KEY);
      if (url && ready && /listening on/.test(text)) {
        clearTimeout(timer);
        // give the dev-key line (printed right after) a moment to arrive
        setTimeout(() => res({ child, output, url, devKey: /API key \(shown once\): (\S+)/.exec(output.join(''))?.[1] }), 100);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => output.push(c.toString()));
    child.on('exit', (code) => rej(new Error(`server exited with ${code}:\n${output.join('')}`)));
  });
}

export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((res) => {
    child.removeAllListeners('exit');
    child.once('exit', () => res());
    child.kill('SIGKILL');
  });
}
