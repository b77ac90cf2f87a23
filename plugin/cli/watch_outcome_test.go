package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func TestWatchOutcome(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	live := context.Background()
	allReady := stream.Result{Pods: map[string]timeline.StatusInfo{"a-ready": {Status: "Running", PodReady: true}}}
	tgt := target.Target{Description: "pod/a-ready"}
	tests := []struct {
		name, until string
		res         stream.Result
		err         string
	}{
		{"never: a timeout is a bounded watch", "never", allReady, ""},
		{"ready: the reason is never empty", "ready", allReady, "timed out after 2s waiting for pod/a-ready: its 1 pod is Ready"},
		{"ready: got ready", "ready", stream.Result{Ready: true}, ""},
		{"ready: failed job", "ready", stream.Result{Failed: "job/j failed: BackoffLimitExceeded"}, "job/j failed: BackoffLimitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewWatchOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
			o.Until, o.Timeout = tt.until, 2*time.Second
			err := o.outcome(live, expired, tgt, tt.res)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("error = %v", err)
				}
				return
			}
			if err == nil || err.Error() != tt.err || strings.HasSuffix(err.Error(), ": ") {
				t.Fatalf("error = %v, want %q", err, tt.err)
			}
		})
	}
}
