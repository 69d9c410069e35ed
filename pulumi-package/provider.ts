/**
 * The component package's entry (package.json `main`): serves the components to the Pulumi engine through
 * @pulumi/pulumi's component provider host. The language host runs it with Node 24, which strips the
 * TypeScript types itself; the engine's address arrives as the command line's last argument.
 */
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental/index.js";
import { PACKAGE_NAME, components } from "./components.ts";

await componentProviderHost({ name: PACKAGE_NAME, dirname: import.meta.dirname, components });
