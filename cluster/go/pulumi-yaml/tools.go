//go:build tools

// Package tools pins the command this module builds, so that `go mod tidy` keeps its dependencies.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
