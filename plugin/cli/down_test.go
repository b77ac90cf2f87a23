package cli

import (
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

func TestDownValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*DownOptions)
		want string
	}{
		{"defaults", func(*DownOptions) {}, ""},
		{"no wait, delete namespace, dry run", func(o *DownOptions) { o.Wait, o.DeleteNamespace, o.DryRun = false, true, "server" }, ""},
		{"zero timeout", func(o *DownOptions) { o.Timeout = 0 }, "--timeout must be positive (got 0s)"},
		{"negative timeout", func(o *DownOptions) { o.Timeout = -time.Second }, "--timeout must be positive (got -1s)"},
		{"client dry run", func(o *DownOptions) { o.DryRun = "client" }, `unknown --dry-run "client" (want none or server)`},
		{"namespace", func(o *DownOptions) { o.Namespace = "" }, "no namespace: pass -n NAMESPACE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewDownOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
			o.Namespace = "demo"
			tt.mod(o)
			err := o.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDownDefaults(t *testing.T) {
	o := NewDownOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
	if !o.Wait || o.Timeout <= 0 || o.DeleteNamespace {
		t.Errorf("defaults: wait=%v timeout=%s delete-namespace=%v", o.Wait, o.Timeout, o.DeleteNamespace)
	}
	if !strings.Contains(NewDownCmd(o.ConfigFlags, o.IOStreams).Flags().Lookup("wait").DefValue, "true") {
		t.Error("--wait does not default to true")
	}
}
