/**
 * Pulumi mocks that record every resource the components register, with the inputs that reached the
 * engine (Outputs already resolved). No Pulumi CLI, no cluster.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

export interface Captured {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

export const captured: Captured[] = [];

export async function installMocks(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        captured.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "docker-build:index:Image") {
          // What a registry would answer: the digest of what was pushed, different per image.
          state.digest = `sha256:${createHash("sha256").update(args.name).digest("hex")}`;
        }
        return { id: `${args.name}-id`, state };
      },
      call: (args) => args.inputs,
    },
    "flink-profiling",
    "test",
    false,
  );
}

export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until no new resource has been registered for a few event-loop turns. */
export async function settle(): Promise<Captured[]> {
  let last = -1;
  let quiet = 0;
  while (quiet < 5) {
    await new Promise((r) => setTimeout(r, 20));
    quiet = captured.length === last ? quiet + 1 : 0;
    last = captured.length;
  }
  return captured;
}

export function reset(): void {
  captured.length = 0;
}

export const kubernetesObjects = (list: Captured[]) => list.filter((r) => r.type.startsWith("kubernetes:"));
export const ofType = (list: Captured[], type: string) => list.filter((r) => r.type === type);
