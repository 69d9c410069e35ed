//go:build tools

// Package tools keeps in go.mod/go.sum what building the provider needs: the command's own dependencies and
// the schema package its `go generate` step (cmd/pulumi-resource-kubernetes/generate.go) runs with.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
