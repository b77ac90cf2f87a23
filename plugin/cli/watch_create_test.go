package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
)

// TestWatchWaitForCreate: without the flag a missing target is the plain
// not-found error; with it the watch says once that it waits, and
// --timeout ends the wait with an error naming the target.
func TestWatchWaitForCreate(t *testing.T) {
	tests := []struct {
		name    string
		wait    bool
		timeout time.Duration
		output  string
		wantErr string
		wantOut string
	}{
		{name: "no flag", wantErr: `deployment "webapp" not found in namespace "demo"`},
		{name: "flag, timeout", wait: true, timeout: 30 * time.Millisecond,
			wantErr: `timed out after 30ms waiting for deployment/webapp to be created in namespace "demo"`,
			wantOut: "waiting for deployment/webapp to be created"},
		{name: "flag, json", wait: true, timeout: 30 * time.Millisecond, output: "json",
			wantErr: "timed out after 30ms", wantOut: `"waiting for deployment/webapp to be created"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := &bytes.Buffer{}
			o := NewWatchOptions(genericclioptions.NewConfigFlags(false), genericiooptions.IOStreams{Out: out, ErrOut: out})
			o.Namespace, o.Target, o.Color, o.Output = "demo", "webapp", "never", tt.output
			o.WaitForCreate, o.Timeout, o.CreatePoll = tt.wait, tt.timeout, time.Millisecond
			o.Clients = stream.Clients{Kube: fake.NewClientset()}
			o.Getenv = func(string) string { return "" }
			if err := o.Validate(); err != nil {
				t.Fatal(err)
			}
			err := o.Run(context.Background())
			if err == nil || err.Error() != strings.TrimSpace(err.Error()) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
			if got := strings.Count(out.String(), "waiting for"); tt.wantOut == "" && got != 0 || tt.wantOut != "" && got != 1 {
				t.Fatalf("output = %q, want %q once", out, tt.wantOut)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Fatalf("output = %q, want %q", out, tt.wantOut)
			}
		})
	}
}

// TestWatchWaitForCreateInterrupted: Ctrl-C during the wait is not a timeout.
func TestWatchWaitForCreateInterrupted(t *testing.T) {
	o := NewWatchOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
	o.Namespace, o.Target, o.Color, o.WaitForCreate, o.CreatePoll = "demo", "webapp", "never", true, time.Millisecond
	o.Clients = stream.Clients{Kube: fake.NewClientset()}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := o.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "interrupted while waiting for deployment/webapp") {
		t.Fatalf("error = %v", err)
	}
}
