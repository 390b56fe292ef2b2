#!/usr/bin/env node
// `npx beacon …`: runs src/cli.ts on the Node 24 runtime the project pins (the `node`
// dev dependency), even when the machine's own Node is older.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const major = Number(process.versions.node.split('.')[0])
let nodeBin = process.execPath
if (major < 24) {
  try {
    nodeBin = path.join(path.dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node')
  } catch {
    console.error('Beacon needs Node 24. Run `npm install` first, which installs it for the project.')
    process.exit(1)
  }
}
const r = spawnSync(nodeBin, [path.join(root, 'src/cli.ts'), ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(r.status ?? 1)
