import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

// The end-to-end tier runs on the local real cluster (cluster/up.sh) in a fixed order: 01 `pulumi up`,
// then the files that use what it made, and last `pulumi destroy`. One file at a time.
class ByName extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return [...files].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  }
  async shard(files: TestSpecification[]): Promise<TestSpecification[]> {
    return files;
  }
}

export default defineConfig({
  test: {
    include: ["test/cluster-e2e/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    sequence: { sequencer: ByName },
    // A failed `pulumi up` makes every later file meaningless.
    bail: 1,
  },
});
