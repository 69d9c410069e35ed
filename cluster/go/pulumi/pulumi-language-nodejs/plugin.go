package main

// Source-based plugins: a folder with PulumiPlugin.yaml (runtime: nodejs) that the CLI runs through this host,
// such as the project's component package (pulumi-package/). The CLI asks for two things here: to install the
// plugin's dependencies (InstallDependencies, before first use) and to run it (RunPlugin), relaying the plugin's
// stdout and stderr over the stream, where the CLI reads the provider's port from the first line of stdout.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// streamWriter sends what a child process writes as stream messages. exec.Cmd copies stdout and stderr in two
// goroutines, and a gRPC stream must not be sent on from two goroutines at once, hence the shared lock.
type streamWriter struct {
	mu   *sync.Mutex
	send func([]byte) error
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	// The message may be marshalled after Write returns; the caller may reuse p.
	if err := w.send(append([]byte(nil), p...)); err != nil {
		return 0, err
	}
	return len(p), nil
}

// pluginNode is the Node.js that runs a plugin: the one the plugin's own packages pin (the `node` npm package,
// node_modules/node/bin/node, found as Node.js finds packages: upwards from the plugin), else `node` on PATH.
// The project's TypeScript runs only on a Node.js that strips types (22.18+), which the pinned one is.
func pluginNode(dir string) (string, error) {
	if pkg, ok := resolvePackage(dir, "node"); ok {
		bin := filepath.Join(pkg, "bin", "node")
		if st, err := os.Stat(bin); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return bin, nil
		}
	}
	return exec.LookPath("node")
}

// pluginEntry is the file to run: the program info's entry point, or for "." (what the CLI sends for plugins)
// the `main` of the plugin folder's package.json, as `node <folder>` would pick it.
func pluginEntry(dir, entry string) (string, error) {
	if entry != "" && entry != "." {
		return filepath.Join(dir, entry), nil
	}
	p, err := readPackage(dir)
	if err != nil {
		return "", fmt.Errorf("plugin %s: %w", dir, err)
	}
	if p.Main == "" {
		return "", fmt.Errorf("plugin %s: package.json has no \"main\" to run", dir)
	}
	return filepath.Join(dir, p.Main), nil
}

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	dir := programDir(req.GetInfo(), req.GetPwd())
	entry, err := pluginEntry(dir, req.GetInfo().GetEntryPoint())
	if err != nil {
		return err
	}
	node, err := pluginNode(dir)
	if err != nil {
		return fmt.Errorf("no Node.js for plugin %s: %w", dir, err)
	}
	_, nodeargs, _ := options(req.GetInfo())
	args := append(append(nodeargs, entry), req.GetArgs()...)

	cmd := exec.CommandContext(server.Context(), node, args...)
	cmd.Dir = req.GetPwd()
	if cmd.Dir == "" {
		cmd.Dir = dir
	}
	// The CLI sends the whole environment the plugin is to see (its own plus what it adds).
	cmd.Env = req.GetEnv()
	if len(cmd.Env) == 0 {
		cmd.Env = os.Environ()
	}
	var mu sync.Mutex
	cmd.Stdout = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}})
	}}
	cmd.Stderr = streamWriter{&mu, func(b []byte) error {
		return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}})
	}}

	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		// The end of the stream is exit code 0 to the CLI.
		return nil
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		mu.Lock()
		defer mu.Unlock()
		return server.Send(&pulumirpc.RunPluginResponse{
			Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exit.ExitCode())}})
	case errors.As(err, &exit):
		// Killed by a signal: the CLI stops plugins by cancelling the call, which kills the process.
		return fmt.Errorf("plugin %s: %v", entry, err)
	default:
		return fmt.Errorf("running plugin %s with %s: %w", entry, node, err)
	}
}

// InstallDependencies installs nothing, like the rest of this host (no `pulumi install`): it checks that the
// program's or plugin's @pulumi/pulumi is already installed where Node.js will find it, and says how to fix it
// when not, so that the CLI stops here with that message instead of failing later inside Node.js.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDir(req.GetInfo(), req.GetDirectory()) //nolint:staticcheck // older engines send only Directory
	if _, ok := resolvePackage(dir, "@pulumi/pulumi"); !ok {
		return fmt.Errorf("@pulumi/pulumi is not installed for %s: this host installs nothing; run `npm ci` in its package first", dir)
	}
	what := "program"
	if req.GetIsPlugin() {
		what = "plugin"
	}
	msg := fmt.Sprintf("pulumi-language-nodejs: the %s's dependencies are already installed (%s); nothing to install\n",
		what, strings.TrimSpace(dir))
	return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
}
