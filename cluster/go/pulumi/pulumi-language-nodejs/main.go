// Command pulumi-language-nodejs is this project's own, minimal Node.js language host for the Pulumi CLI.
//
// Why it exists: Pulumi's real Node.js host lives in an untagged nested module of the pulumi repository
// (sdk/nodejs/cmd/pulumi-language-nodejs) that the Go module proxy reachable here refuses at every version,
// tag and commit, so the CLI built from pkg/v3 could not run a Node.js program at all. This host covers what
// `pulumi preview/up/destroy/refresh/about` need and nothing more: it starts the run script that ships in the
// program's own @pulumi/pulumi package (cmd/run, which documents its flags and PULUMI_* variables) and reports
// the resource plugins that the program's installed packages declare in package.json ("pulumi": {...}).
// It also runs source-based plugins (PulumiPlugin.yaml, runtime nodejs; see plugin.go), such as the project's
// Pulumi component package.
// Not covered: `pulumi new` / `pulumi install` (no dependency installation), policy packs, debugging.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// exitAlreadyReported is the exit code of @pulumi/pulumi's run script when it has already logged the error.
const exitAlreadyReported = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engine  string // the engine's gRPC address, passed last on the command line
	tracing string
}

func main() {
	// The engine may pass --logtostderr, -v=N and --tracing URL; the engine address always comes last.
	args := os.Args[1:]
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "usage: pulumi-language-nodejs [flags] ENGINE_ADDRESS")
		os.Exit(2)
	}
	h := &host{engine: args[len(args)-1]}
	for i := 0; i+1 < len(args)-1; i++ {
		if args[i] == "--tracing" || args[i] == "-tracing" {
			h.tracing = args[i+1]
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
	// The plugin protocol: the first line on stdout is the port the engine dials.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// GetPluginInfo reports the CLI's version, as the real host does: the build sets
// github.com/pulumi/pulumi/sdk/v3/go/common/version.Version for both with one -ldflags -X.
func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	v := strings.TrimPrefix(version.Version, "v")
	if v == "" {
		v = "3.0.0-dev"
	}
	return &pulumirpc.PluginInfo{Version: v}, nil
}

// packageJSON holds the fields of package.json this host reads.
type packageJSON struct {
	Name         string            `json:"name"`
	Version      string            `json:"version"`
	Main         string            `json:"main"`
	Dependencies map[string]string `json:"dependencies"`
	Pulumi       *struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackage(dir string) (*packageJSON, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "package.json"), err)
	}
	return &p, nil
}

// resolvePackage finds where Node.js would load package name from a module in dir: node_modules folders
// upwards from dir, then NODE_PATH (so a program may use a shared node_modules through NODE_PATH).
func resolvePackage(dir, name string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if p := filepath.Join(d, "node_modules", name); isDir(p) {
			return p, true
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, d := range filepath.SplitList(os.Getenv("NODE_PATH")) {
		if p := filepath.Join(d, name); d != "" && isDir(p) {
			return p, true
		}
	}
	return "", false
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// nearestPackage finds the package.json that governs dir, as Node.js does: in dir or the closest folder above
// (a Pulumi.yaml `main` may name a file in a subfolder of the package).
func nearestPackage(dir string) (string, *packageJSON, error) {
	for d := dir; ; d = filepath.Dir(d) {
		p, err := readPackage(d)
		if err == nil {
			return d, p, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return "", nil, err
		}
		if filepath.Dir(d) == d {
			return "", nil, fmt.Errorf("no package.json in %s or any folder above it", dir)
		}
	}
}

// dependencies walks the program's "dependencies" transitively (as installed) and calls visit once per package.
func dependencies(programDir string, visit func(dir string, p *packageJSON)) error {
	programDir, root, err := nearestPackage(programDir)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var walk func(from string, deps map[string]string)
	walk = func(from string, deps map[string]string) {
		for name := range deps {
			dir, ok := resolvePackage(from, name)
			if !ok {
				continue
			}
			if real, err := filepath.EvalSymlinks(dir); err == nil {
				dir = real
			}
			if seen[dir] {
				continue
			}
			seen[dir] = true
			p, err := readPackage(dir)
			if err != nil {
				continue
			}
			visit(dir, p)
			walk(dir, p.Dependencies)
		}
	}
	walk(programDir, root.Dependencies)
	return nil
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	return fallback
}

func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	var pkgs []*pulumirpc.PackageDependency
	err := dependencies(programDir(req.GetInfo(), "."), func(_ string, p *packageJSON) {
		if p.Pulumi == nil || !p.Pulumi.Resource {
			return
		}
		name := p.Pulumi.Name
		if name == "" {
			name = strings.TrimPrefix(p.Name, "@pulumi/")
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		pkgs = append(pkgs, &pulumirpc.PackageDependency{
			Kind: "resource", Name: name, Version: v, Server: p.Pulumi.Server,
		})
	})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	var deps []*pulumirpc.DependencyInfo
	err := dependencies(programDir(req.GetInfo(), "."), func(_ string, p *packageJSON) {
		if req.GetTransitiveDependencies() || strings.HasPrefix(p.Name, "@pulumi/") {
			deps = append(deps, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
		}
	})
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, errors.New("node is not on PATH")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{Executable: node, Version: strings.TrimSpace(string(out))}, nil
}

// options reads the runtime options of Pulumi.yaml (runtime.options) that this host honours.
func options(info *pulumirpc.ProgramInfo) (typescript bool, nodeargs []string, tsconfig string) {
	typescript = true // the real host's default
	if info == nil || info.GetOptions() == nil {
		return typescript, nil, ""
	}
	m := info.GetOptions().AsMap()
	if v, ok := m["typescript"].(bool); ok {
		typescript = v
	}
	if v, ok := m["nodeargs"].(string); ok {
		nodeargs = strings.Fields(v)
	}
	if v, ok := m["tsconfig"].(string); ok {
		tsconfig = v
	}
	return typescript, nodeargs, tsconfig
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	entry := req.GetInfo().GetEntryPoint()
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // older engines send only this
	}
	if entry == "" {
		entry = "."
	}
	typescript, nodeargs, tsconfig := options(req.GetInfo())

	// Node's own resolution (node_modules upwards, then NODE_PATH) finds the program's @pulumi/pulumi.
	resolve := exec.CommandContext(ctx, "node", "-e",
		`process.stdout.write(require.resolve("@pulumi/pulumi/cmd/run"))`)
	resolve.Dir = dir
	runScript, err := resolve.Output()
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"cannot find @pulumi/pulumi from %s (run npm install, or set NODE_PATH): %v", dir, err)}, nil
	}

	args := append(nodeargs, string(runScript),
		"--monitor="+req.GetMonitorAddress(), "--engine="+h.engine,
		"--organization="+req.GetOrganization(), "--project="+req.GetProject(), "--stack="+req.GetStack(),
		"--root-directory="+req.GetInfo().GetRootDirectory(), "--pwd="+dir,
		"--parallel="+strconv.Itoa(int(req.GetParallel())))
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if h.tracing != "" {
		args = append(args, "--tracing="+h.tracing)
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeys, err := json.Marshal(req.GetConfigSecretKeys())
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr // the engine shows the plugin's output as the program's
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitAlreadyReported:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("running node: %v", err)}, nil
	}
}
