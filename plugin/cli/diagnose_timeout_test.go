package cli

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/diagnose"
)

// slowPods answers only when ctx ends: with ctx's error, or (partial) with the pods.
type slowPods struct {
	phasePods
	partial bool
}

func (s slowPods) ListPods(ctx context.Context, ns string, opts metav1.ListOptions) ([]diagnose.PodRow, error) {
	<-ctx.Done()
	if s.partial {
		return s.phasePods.ListPods(context.Background(), ns, opts)
	}
	return nil, ctx.Err()
}

// TestDiagnoseTimeout: when --timeout ends the diagnosis, the error says so
// in one line, not as the client's `Get "https://…": context deadline exceeded`.
func TestDiagnoseTimeout(t *testing.T) {
	tests := []struct {
		name    string
		partial bool
		want    string
		output  string
	}{
		{"nothing read", false, "diagnose timed out after 1ms", ""},
		{"report made after the deadline", true, "diagnose timed out after 1ms: the report above is incomplete", "webapp-1: Pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, out := newTestDiagnoseOptions(diagnoseFixture(true)...)
			o.Pods = slowPods{phasePods: o.Pods.(phasePods), partial: tt.partial}
			o.Timeout = time.Millisecond
			if err := o.Complete([]string{"webapp"}); err != nil {
				t.Fatal(err)
			}
			err := o.Run(context.Background())
			if err == nil || err.Error() != tt.want || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("error = %v, want %q wrapping context.DeadlineExceeded", err, tt.want)
			}
			if !strings.Contains(out.String(), tt.output) {
				t.Errorf("output lacks %q:\n%s", tt.output, out.String())
			}
		})
	}
}

// TestDiagnoseTimeoutRealClient: the same through client-go against a
// server that never answers.
func TestDiagnoseTimeoutRealClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	streams, _, _, _ := genericiooptions.NewTestIOStreams()
	flags := genericclioptions.NewConfigFlags(false)
	server, namespace := srv.URL, "demo"
	flags.APIServer, flags.Namespace = &server, &namespace
	o := NewDiagnoseOptions(flags, streams)
	o.Timeout = 50 * time.Millisecond
	if err := o.Complete([]string{"webapp"}); err != nil {
		t.Fatal(err)
	}
	err := o.Run(context.Background())
	if err == nil || err.Error() != "diagnose timed out after 50ms" {
		t.Fatalf("error = %v, want %q", err, "diagnose timed out after 50ms")
	}
}

// TestDiagnoseCanceled: a caller's cancellation is not reported as a timeout.
func TestDiagnoseCanceled(t *testing.T) {
	o, _ := newTestDiagnoseOptions(diagnoseFixture(true)...)
	o.Pods = slowPods{phasePods: o.Pods.(phasePods)}
	if err := o.Complete([]string{"webapp"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := o.Run(ctx)
	var te *TimeoutError
	if err == nil || errors.As(err, &te) {
		t.Fatalf("error = %v, want the cancellation, not a timeout", err)
	}
}
