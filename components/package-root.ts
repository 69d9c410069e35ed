/**
 * The folder of this package: the one holding its package.json and images/. A clone runs the sources from
 * <root>/components and <root>/scripts/lib, an installed package runs the build from <root>/dist/…, so the
 * depth differs and a fixed "../" would point into dist/ once installed. Walking up to the nearest
 * package.json finds the same root in both (dist/ has none of its own).
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}: is this package installed whole?`);
  }
}

export const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The Dockerfiles and the helper script, shipped with the package (package.json `files`). */
export const IMAGES_DIR = path.join(PACKAGE_ROOT, "images");
