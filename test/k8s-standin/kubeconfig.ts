// Kubeconfigs pointing at the stand-in. kubectl only sends credentials (tokens, client certs)
// over TLS, but it does send the kubeconfig user's `as:` (impersonation) over plain http, so each
// user entry impersonates its own name and the server takes Impersonate-User as the identity.
// `--as` on the command line overrides it, as with a real cluster.
import { writeFileSync } from "node:fs";

const TOKEN_PREFIX = "standin-token.";

export const tokenFor = (user: string) => TOKEN_PREFIX + Buffer.from(user).toString("base64url");

/** undefined: not one of ours (→ 401); null: no credentials (→ system:anonymous). */
export function userFromAuthorization(header: string | undefined): string | null | undefined {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m?.[1].startsWith(TOKEN_PREFIX)) return undefined;
  return Buffer.from(m[1].slice(TOKEN_PREFIX.length), "base64url").toString();
}

export type ContextSpec = { name: string; user?: string; namespace?: string };

export type KubeconfigOptions = {
  /** Name of the current context; default "standin". */
  context?: string;
  namespace?: string;
  /** Default "admin". */
  user?: string;
  /** More contexts in the same file (for --context tests, or one context per user). */
  contexts?: ContextSpec[];
};

export function kubeconfig(server: string, opts: KubeconfigOptions = {}) {
  const current: ContextSpec = {
    name: opts.context ?? "standin",
    user: opts.user ?? "admin",
    namespace: opts.namespace,
  };
  const all = [current, ...(opts.contexts ?? [])].map((c) => ({ ...c, user: c.user ?? "admin" }));
  const users = [...new Set(all.map((c) => c.user))];
  // JSON is YAML, and kubectl reads either.
  return {
    apiVersion: "v1",
    kind: "Config",
    preferences: {},
    clusters: [{ name: "standin", cluster: { server } }],
    users: users.map((u) => ({ name: u, user: { as: u } })),
    contexts: all.map((c) => ({
      name: c.name,
      context: { cluster: "standin", user: c.user, ...(c.namespace ? { namespace: c.namespace } : {}) },
    })),
    "current-context": current.name,
  };
}

export function writeKubeconfig(path: string, server: string, opts: KubeconfigOptions = {}): string {
  writeFileSync(path, JSON.stringify(kubeconfig(server, opts), null, 2), { mode: 0o600 });
  return path;
}
