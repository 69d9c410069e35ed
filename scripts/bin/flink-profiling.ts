#!/usr/bin/env node
// The installed package's profiling command (package.json `bin`): the same CLI as `zx scripts/profile.mjs`
// in a clone, run from the build (dist/), so it needs no zx and no TypeScript loader.
import { main } from "../lib/profile-main.ts";

process.exitCode = await main(process.argv.slice(2));
