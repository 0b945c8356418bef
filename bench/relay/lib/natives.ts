import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * The peers' native modules are not built by `pnpm install` (see allowBuilds in
 * pnpm-workspace.yaml: building sqlite3 would slow every clean install, CI's included). The
 * benchmark builds what is missing on first use, with the package's own install script.
 */
interface Native {
  name: string;
  /** The dependency chain from this package down to it (pnpm links each only beside its dependant). */
  chain: string[];
}

const NATIVES: Native[] = [
  { name: 'sqlite3', chain: ['@hocuspocus/extension-sqlite', 'sqlite3'] },
  { name: 'leveldown', chain: ['@y/websocket-server', 'y-leveldb', 'level', 'leveldown'] }
];
const BENCH_DIR = path.resolve(import.meta.dirname, '..');

/** Node's lookup of package `name` from the package in `from`, without going through `exports`. */
function findPackage(from: string, name: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, path.basename(dir) === 'node_modules' ? '' : 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (dir === path.dirname(dir)) throw new Error(`cannot find ${name} from ${from}`);
  }
}

function packageDir(n: Native): string {
  return n.chain.reduce(findPackage, BENCH_DIR);
}

function loads(dir: string): boolean {
  try {
    createRequire(path.join(dir, 'package.json'))(dir);
    return true;
  } catch {
    return false;
  }
}

export function ensureNatives(): void {
  for (const n of NATIVES) {
    const dir = packageDir(n);
    if (loads(dir)) continue;
    process.stdout.write(`building ${n.name} (first run only, a minute or two)…\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, JOBS: 'max' };
    // No prebuilt binaries can be downloaded: compile against the system Node headers.
    if (!env.npm_config_nodedir && fs.existsSync('/usr/include/node/node.h')) env.npm_config_nodedir = '/usr';
    try {
      execFileSync('npm', ['run', 'install'], { cwd: dir, env, stdio: 'pipe', maxBuffer: 256 * 2 ** 20 });
    } catch (err) {
      const out = err as { stdout?: Buffer; stderr?: Buffer };
      process.stderr.write(`${out.stdout ?? ''}${out.stderr ?? ''}`.slice(-20_000));
      throw new Error(`building ${n.name} in ${dir} failed (output above)`);
    }
    if (!loads(dir)) throw new Error(`${n.name} still does not load after building it in ${dir}`);
  }
}
