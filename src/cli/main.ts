/** `fedlink <command>`: serve | migrate | help. */
import { migrate, serve } from '../main.js';

const USAGE = `Usage: fedlink <command>

Commands:
  serve     migrate, bootstrap, and serve the API on FEDLINK_HOST:FEDLINK_PORT (default 127.0.0.1:9000)
  migrate   apply database migrations and exit

Configuration is read from the environment; see README.md.
`;

const cmd = process.argv[2];
const run = cmd === 'serve' ? serve : cmd === 'migrate' ? migrate : undefined;
if (!run) {
  process.stdout.write(USAGE);
  process.exit(cmd === undefined || cmd === 'help' || cmd === '--help' ? 0 : 2);
} else {
  run().catch((e) => {
    process.stderr.write(`fedlink ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
