package cli

import (
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestCompareValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*CompareOptions)
		err  string
	}{
		{"defaults", func(*CompareOptions) {}, ""},
		{"two variants", func(o *CompareOptions) { o.Variants = []string{"init", "naive", "init"} }, ""},
		{"unknown variant", func(o *CompareOptions) { o.Variants = []string{"init", "lazy"} }, `unknown variant "lazy"`},
		{"no variant", func(o *CompareOptions) { o.Variants = nil }, "name at least one"},
		{"negative delay", func(o *CompareOptions) { o.DBDelay = -time.Second }, "--db-delay must not be negative (got -1s)"},
		{"zero timeout", func(o *CompareOptions) { o.Timeout = 0 }, "--timeout must be positive (got 0s)"},
		{"bad image", func(o *CompareOptions) { o.Image = "Bad Image" }, `--image: invalid image reference "Bad Image"`},
		{"bad postgres image", func(o *CompareOptions) { o.PostgresImage = "pg:" }, `--postgres-image: invalid image reference "pg:"`},
		{"bad output", func(o *CompareOptions) { o.Output = "yaml" }, `--output must be one of: text, json (got "yaml")`},
		{"bad color", func(o *CompareOptions) { o.Color = "red" }, `--color must be one of: auto, always, never (got "red")`},
		{"chart in a folder that exists", func(o *CompareOptions) { o.HTML = "compare.html" }, ""},
		{"chart in no folder", func(o *CompareOptions) { o.HTML = "/nonexistent/compare.html" }, "invalid --html /nonexistent/compare.html: no folder /nonexistent"},
		{"chart on stdout", func(o *CompareOptions) { o.HTML = "-" }, "invalid --html -: name a file (standard output carries the command's own output)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := &CompareOptions{ConfigFlags: genericclioptions.NewConfigFlags(false), IOStreams: genericiooptions.NewTestIOStreamsDiscard(),
				Variants: []string{"init", "naive", "waitdb"}, DBDelay: time.Minute, Timeout: time.Minute, Color: "auto"}
			tt.mod(o)
			err := o.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error = %v, want %q", err, tt.err)
			}
		})
	}
}
