//go:build tools

// Package tools pins the commands this module builds, so that `go mod tidy` keeps their dependencies:
// the BuildKit daemon and client, and the Dockerfile frontend that stands in for the `# syntax=` image.
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
	_ "github.com/moby/buildkit/frontend/dockerfile/cmd/dockerfile-frontend"
)
