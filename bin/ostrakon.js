#!/usr/bin/env node
// The `ostrakon` command (package.json "bin"): the admin command line in src/cli.ts, which needs
// Node 24 to run TypeScript directly. (`npm run admin` runs src/cli.ts on the pinned Node.)
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`ostrakon needs Node 24 or later, and this is Node ${process.versions.node}. In a checkout, run "npm run admin -- <command>", which uses the project's own Node.`);
  process.exit(1);
}
await import('../src/cli.ts');
