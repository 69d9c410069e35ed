/**
 * What the TypeScript components declare, read with the TypeScript compiler: the oracle the component package's
 * schema is checked against. It does not use @pulumi/pulumi's analyzer, so a schema that lost, renamed or
 * invented an argument does not agree with it.
 */
import path from "node:path";
import ts from "typescript";

export interface DeclaredProperty {
  name: string;
  optional: boolean;
}

const repoRoot = path.resolve(import.meta.dirname, "../../..");
let program: ts.Program | undefined;

function load(): ts.Program {
  // One program for all the component files: building it is the slow part.
  program ??= ts.createProgram(
    ["flink-cluster", "profiling-access", "profiling-admission-policy", "profiling-image"].map((f) =>
      path.join(repoRoot, "components", `${f}.ts`),
    ),
    {
      strict: true,
      allowImportingTsExtensions: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
    },
  );
  return program;
}

function declaration(file: string, name: string): ts.InterfaceDeclaration | ts.ClassDeclaration {
  const source = load().getSourceFile(path.join(repoRoot, "components", file));
  if (!source) throw new Error(`components/${file} is not in the program`);
  const found = source.statements.find(
    (s): s is ts.InterfaceDeclaration | ts.ClassDeclaration =>
      (ts.isInterfaceDeclaration(s) || ts.isClassDeclaration(s)) && s.name?.text === name,
  );
  if (!found) throw new Error(`components/${file} declares no ${name}`);
  return found;
}

/** Every property of an interface, inherited ones included, as TypeScript users see them. */
export function declaredArgs(file: string, interfaceName: string): DeclaredProperty[] {
  const checker = load().getTypeChecker();
  const node = declaration(file, interfaceName);
  const type = checker.getTypeAtLocation(node.name!);
  return checker
    .getPropertiesOfType(type)
    .map((p) => ({ name: p.getName(), optional: (p.flags & ts.SymbolFlags.Optional) !== 0 }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The public readonly fields of a component class: what it exposes after construction. */
export function declaredOutputs(file: string, className: string): string[] {
  const node = declaration(file, className) as ts.ClassDeclaration;
  return node.members
    .filter((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m))
    .filter(
      (m) =>
        (ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Readonly) !== 0 &&
        (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) === 0,
    )
    .map((m) => (m.name as ts.Identifier).text)
    .sort();
}
