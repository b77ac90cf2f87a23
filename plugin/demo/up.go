package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// DB says when Up applies the database.
type DB string

// The values of up --db.
const (
	DBNow   DB = "now"
	DBLater DB = "later" // DBDelay after the webapp
	DBNone  DB = "none"  // left out
)

// UpConfig says what Up deploys and how.
type UpConfig struct {
	// Stack is what to render; Up sets its Database from DB.
	Stack   stack.RenderOptions
	DB      DB
	DBDelay time.Duration
	// DryRun sends everything as a server dry run: validated, not persisted.
	DryRun bool
	Force  bool
	// NoWatch returns after applying instead of streaming the timeline.
	NoWatch bool
	// Timeout bounds the timeline (0: no limit).
	Timeout time.Duration
	// Clock times the timeline (default the wall clock).
	Clock clock.WithDelayedExecution
	// Timeline receives the timeline and its summary when Up streams it.
	Timeline Timeline
	// Progress receives the apply lines; Warnings the warnings.
	Progress, Warnings io.Writer
	// DetectCluster names the local cluster in the advice when a container
	// of the stack can never start (nil: not known).
	DetectCluster DetectCluster
}

// Watches reports whether Up streams the timeline after applying.
func (c UpConfig) Watches() bool {
	return !c.DryRun && !c.NoWatch && c.DB != DBNone
}

// Objects returns the objects Up applies, the database workload last.
func (c UpConfig) Objects() ([]*unstructured.Unstructured, error) {
	r := c.Stack
	r.Database = c.DB != DBNone
	return stack.Render(r)
}

// Up renders and applies the stack (the database DBDelay later with
// DBLater) and, unless it does not watch, streams the webapp pods'
// timeline until they are all Ready, Timeout passes or ctx ends.
func Up(ctx context.Context, c Clients, cfg UpConfig) error {
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	ns := cfg.Stack.Namespace
	objs, err := cfg.Objects()
	if err != nil {
		return err
	}
	var watch func(context.Context) error
	if cfg.Watches() { // resolved before anything is applied, so that its errors change nothing
		tgt, err := target.Resolver{Client: c.Stream.Kube}.Resolve(ctx, ns, target.Spec{Selector: stack.WebappPodSelector})
		if err != nil {
			return err
		}
		guard := newStackGuard(c.Stream, cfg.Stack, "kubectl initwait down -n "+ns, cfg.DetectCluster)
		watch = func(ctx context.Context) error {
			return followReady(ctx, c.Stream, tgt, cfg.Timeout, cfg.Clock, cfg.Timeline, guard)
		}
	}
	if r, err := c.Stack.EnsureNamespace(ctx, ns, cfg.DryRun); err != nil {
		return err
	} else if r != nil {
		fmt.Fprintln(cfg.Progress, r)
	}
	secret, err := c.Stack.PrepareDatabaseSecret(ctx, ns, objs)
	if err != nil {
		return err
	}
	if secret.ManifestPassword {
		fmt.Fprintln(cfg.Warnings, manifestPasswordWarning(ns))
	}
	report := func(r stack.Result) {
		note := ""
		if secret.Generated && !r.DryRun && r.Ref == "secret/"+stack.SecretName {
			note = " (password generated; kept on re-runs, never printed)"
		}
		fmt.Fprintf(cfg.Progress, "%s%s\n", r, note)
	}
	first, database := objs, []*unstructured.Unstructured(nil)
	if cfg.DB == DBLater && !cfg.DryRun {
		first, database = stack.SplitDatabase(objs)
	}
	applyOpts := stack.ApplyOptions{DryRun: cfg.DryRun, Force: cfg.Force}
	if err := c.Stack.Apply(ctx, first, applyOpts, report); err != nil {
		return err
	}
	applyDB := func(ctx context.Context, skip <-chan struct{}) error {
		if len(database) == 0 {
			return nil
		}
		fmt.Fprintf(cfg.Progress, "database: applying in %s (--db later)\n", cfg.DBDelay)
		return applyAfter(ctx, skip, cfg.DBDelay, func(ctx context.Context) error {
			return c.Stack.Apply(ctx, database, applyOpts, report)
		})
	}
	if watch == nil {
		if cfg.DB == DBNone && !cfg.DryRun && !cfg.NoWatch {
			fmt.Fprintf(cfg.Progress, "database left out (--db none): the webapp waits; try kubectl initwait diagnose webapp -n %s\n", ns)
		}
		return runUpAgain(applyDB(ctx, nil))
	}
	return runUpAgain(watchWhile(ctx, watch, applyDB))
}

// runUpAgain tells, when up stopped before the database was applied, how
// to apply it; a stuck container's line is said alone.
func runUpAgain(err error) error {
	var s *StuckError
	if errors.As(err, &s) {
		return s
	}
	if errors.Is(err, errDBNotApplied) {
		return fmt.Errorf("%w (run up again to apply it)", err)
	}
	return err
}

// followReady streams target's timeline into tl until it is Ready, prints
// the summary, and says why it is not Ready when it is not: first of all
// a container of the stack that guard found can never start, which ends
// the timeline at once.
func followReady(ctx context.Context, c stream.Clients, tgt target.Target, timeout time.Duration, clk clock.WithDelayedExecution, tl Timeline, guard *stackGuard) error {
	runCtx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	watchCtx, stop := context.WithCancel(runCtx)
	defer stop()
	wait := guard.start(watchCtx, stop)
	res, err := stream.Run(watchCtx, c, stream.Config{Target: tgt, Until: stream.UntilReady, Clock: clk}, guard.timeline(tl))
	wait()
	if err != nil {
		return err
	}
	if err := tl.Summary(clk.Now(), res.Summary); err != nil {
		return err
	}
	if !res.Ready && res.Failed == "" {
		if err := guard.Err(ctx); err != nil {
			return err
		}
	}
	return readyOutcome(ctx, runCtx, timeout, tgt.Description, res)
}

// readyOutcome is the end of a run until Ready: nil when it got Ready, else
// one line saying whether it timed out or was interrupted, and what is not
// Ready. ctx is the caller's, runCtx the one the timeout ended.
func readyOutcome(ctx, runCtx context.Context, timeout time.Duration, what string, res stream.Result) error {
	switch {
	case res.Failed != "":
		return errors.New(res.Failed)
	case res.Ready:
		return nil
	case errors.Is(runCtx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		return fmt.Errorf("timed out after %s waiting for %s: %s", timeout, what, res.NotReady())
	case ctx.Err() != nil:
		return fmt.Errorf("interrupted before %s was ready: %s", what, res.NotReady())
	}
	return nil
}
