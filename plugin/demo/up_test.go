package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

// recordingStack is a Stack that applies nothing but records, in order,
// what it was asked to apply; Apply fails on the object named failOn.
type recordingStack struct {
	mu      sync.Mutex
	applied []string
	dryRun  []bool
	failOn  string
}

func (s *recordingStack) EnsureNamespace(_ context.Context, name string, dryRun bool) (*stack.Result, error) {
	return &stack.Result{Ref: "namespace/" + name, Action: stack.Unchanged, DryRun: dryRun}, nil
}

func (s *recordingStack) PrepareDatabaseSecret(context.Context, string, []*unstructured.Unstructured) (stack.SecretOutcome, error) {
	return stack.SecretOutcome{Generated: true}, nil
}

func (s *recordingStack) Apply(ctx context.Context, objs []*unstructured.Unstructured, o stack.ApplyOptions, report func(stack.Result)) error {
	for _, obj := range objs {
		ref := stack.Ref(obj)
		if ref == s.failOn {
			return fmt.Errorf("applying %s: refused", ref)
		}
		s.mu.Lock()
		s.applied, s.dryRun = append(s.applied, ref), append(s.dryRun, o.DryRun)
		s.mu.Unlock()
		report(stack.Result{Ref: ref, Action: stack.Created, DryRun: o.DryRun})
	}
	return ctx.Err()
}

func (s *recordingStack) Delete(context.Context, string, []schema.GroupVersionKind, bool, func(string)) ([]string, error) {
	return nil, errors.New("up deletes nothing")
}

func (s *recordingStack) DeleteNamespace(context.Context, string, bool, bool, time.Duration) (bool, error) {
	return false, errors.New("up deletes nothing")
}

// TestUpWithoutTimeline runs Up where it streams no timeline (--no-watch,
// --db none, --dry-run=server): what it applies, in which order, and what
// it says.
func TestUpWithoutTimeline(t *testing.T) {
	const database = "deployment.apps/postgres"
	tests := []struct {
		name      string
		cfg       func(*UpConfig)
		interrupt bool   // Ctrl-C once the delay has started
		failOn    string // the object whose apply fails
		wantErr   string // "" = no error; else the error's end
		wantLast  string // the last object applied
		wantSaid  string
	}{
		{"--db later: the database last, after its delay", func(c *UpConfig) { c.DB, c.NoWatch = DBLater, true },
			false, "", "", database, "database: applying in 10ms (--db later)"},
		{"--db later, Ctrl-C during the delay: not applied, says so", func(c *UpConfig) { c.DB, c.DBDelay, c.NoWatch = DBLater, time.Hour, true },
			true, "", "stopped before the database was applied: context canceled (run up again to apply it)", "deployment.apps/webapp", ""},
		{"--db none: no database, says what to run", func(c *UpConfig) { c.DB = DBNone },
			false, "", "", "deployment.apps/webapp", "database left out (--db none): the webapp waits; try kubectl initwait diagnose webapp -n demo"},
		{"server dry run: everything at once, --db later or not", func(c *UpConfig) { c.DB, c.DBDelay, c.DryRun = DBLater, time.Hour, true },
			false, "", "", "deployment.apps/webapp", "(server dry run)"},
		{"a refused apply is the error", func(c *UpConfig) { c.NoWatch = true },
			false, "configmap/app-config", "applying configmap/app-config: refused", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			progress := &watchedWriter{}
			if tt.interrupt {
				progress.on, progress.do = "database: applying in", cancel
			}
			var warnings strings.Builder
			cfg := UpConfig{Stack: stack.RenderOptions{Namespace: "demo", Variants: []stack.Variant{stack.VariantInit}},
				DB: DBNow, DBDelay: 10 * time.Millisecond, Progress: progress, Warnings: &warnings}
			tt.cfg(&cfg)
			if cfg.Watches() {
				t.Fatal("the case would stream the timeline")
			}
			s := &recordingStack{failOn: tt.failOn}
			err := Up(ctx, Clients{Stack: s}, cfg)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.HasSuffix(err.Error(), tt.wantErr)) {
				t.Fatalf("Up = %v, want an error ending %q", err, tt.wantErr)
			}
			last := ""
			if len(s.applied) > 0 {
				last = s.applied[len(s.applied)-1]
			}
			if last != tt.wantLast {
				t.Errorf("applied %v, want %q last", s.applied, tt.wantLast)
			}
			for i, dry := range s.dryRun {
				if dry != cfg.DryRun {
					t.Errorf("%s applied with dry run %v", s.applied[i], dry)
				}
			}
			if !strings.Contains(progress.String(), tt.wantSaid) {
				t.Errorf("progress lacks %q:\n%s", tt.wantSaid, progress.String())
			}
			if tt.failOn == "" && !strings.Contains(progress.String(), "secret/"+stack.SecretName+" created") {
				t.Errorf("the Secret was not applied:\n%s", progress.String())
			}
		})
	}
}

// watchedWriter is a strings.Builder that calls do once a write contains on.
type watchedWriter struct {
	strings.Builder
	on string
	do func()
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	if w.on != "" && strings.Contains(string(p), w.on) {
		w.do()
	}
	return w.Builder.Write(p)
}
