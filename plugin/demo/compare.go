package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// CompareConfig says what Compare deploys, how long it waits and where it
// writes.
type CompareConfig struct {
	// Stack is what to render (namespace, variants, images); the database
	// is always part of it.
	Stack stack.RenderOptions
	// Created says the namespace was made for this run: deleted at the end
	// unless Keep. A namespace that does not exist yet is made, and so
	// deleted, too.
	Created bool
	DBDelay time.Duration
	// Timeout ends the run (the partial report is written) when the
	// variants are not all Ready by then.
	Timeout time.Duration
	// Keep leaves what was deployed in place.
	Keep bool
	// Clock stamps the database's apply and times the timeline (default
	// the wall clock).
	Clock clock.WithDelayedExecution
	// Timeline receives the timeline of every pod, app logs included.
	Timeline timeline.Sink
	// Report receives the report, as JSON when JSON is set; Progress the
	// apply lines; Notes what was kept.
	Report, Progress, Notes io.Writer
	JSON                    bool
	// BeforeText, if set, is called with what the run saw just before the
	// text report is written (compare's bars of the pods).
	BeforeText func(CompareResult) error
	// DetectCluster names the local cluster in the advice when a container
	// can never start (nil: not known).
	DetectCluster DetectCluster
}

// CompareResult is what a comparison saw: the report and what it was
// measured from, for a chart of the run.
type CompareResult struct {
	Report compare.Report
	// Entries is the timeline in the order it was written.
	Entries []timeline.Entry
	// Pods are the watch's per-pod summaries the report counts from.
	Pods []timeline.PodSummary
}

// Compare deploys the variants without their database, applies it DBDelay
// later, streams every pod until all the variants are Ready, writes the
// report of each variant and cleans up unless Keep. On a timeout or Ctrl-C
// it writes the partial report and returns an error saying what was not
// Ready.
func Compare(ctx context.Context, c Clients, cfg CompareConfig) (res CompareResult, err error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	ns := cfg.Stack.Namespace
	r := cfg.Stack
	r.Database = true
	objs, err := stack.Render(r)
	if err != nil {
		return res, err
	}
	made, err := c.Stack.EnsureNamespace(ctx, ns, false)
	if err != nil {
		return res, err
	}
	created := cfg.Created || made != nil && made.Action == stack.Created // -n named a namespace that did not exist: ours to delete too
	remove := "kubectl initwait down -n " + ns
	if created {
		remove += " --delete-namespace"
	}
	guard := newStackGuard(c.Stream, cfg.Stack, remove, cfg.DetectCluster)
	var stuckErr error
	defer func() {
		if stuckErr != nil {
			return // left in place for inspection; the error says how to remove it
		}
		if cerr := cleanup(c.Stack, ns, created, cfg.Keep, cfg.Notes); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if _, err := c.Stack.PrepareDatabaseSecret(ctx, ns, objs); err != nil {
		return res, err
	}
	webapps, database := stack.SplitDatabase(objs)
	report := func(r stack.Result) { fmt.Fprintln(cfg.Progress, r) }
	if err := c.Stack.Apply(ctx, webapps, stack.ApplyOptions{}, report); err != nil {
		return res, err
	}
	collector := &compare.Collector{GroupOf: groupOf, Next: timeline.SinkFunc(func(e timeline.Entry) error {
		res.Entries = append(res.Entries, e)
		return cfg.Timeline.Emit(e)
	})}
	runCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var appliedAt time.Time
	applyDB := func(ctx context.Context, skip <-chan struct{}) error {
		fmt.Fprintf(cfg.Progress, "database: applying in %s\n", cfg.DBDelay)
		return applyAfter(ctx, skip, cfg.DBDelay, func(ctx context.Context) error {
			appliedAt = cfg.Clock.Now()
			return c.Stack.Apply(ctx, database, stack.ApplyOptions{}, report)
		})
	}
	tgt := target.Target{Namespace: ns, LabelSelector: stack.LabelPartOf + "=" + stack.PartOf,
		Description: "the compared variants"}
	var run stream.Result
	var watchErr error
	err = watchWhile(runCtx, func(ctx context.Context) error {
		watchCtx, stop := context.WithCancel(ctx)
		defer stop()
		wait := guard.start(watchCtx, stop)
		run, watchErr = stream.Run(watchCtx, c.Stream, stream.Config{Target: tgt, Until: stream.UntilReady, Clock: cfg.Clock,
			Columns: timeline.ColumnarOf(cfg.Timeline), Logs: source.LogSelection{All: true}}, guard.sink(collector))
		wait()
		if watchErr == nil && !run.Ready && run.Failed == "" {
			stuckErr = guard.Err(ctx)
			return stuckErr // ends the database's delay too: nothing more is applied
		}
		return watchErr
	}, applyDB)
	switch {
	case stuckErr != nil: // the partial report, then the line
	case watchErr != nil:
		return res, err // the timeline failed; says whether the database was applied
	case err != nil && !errors.Is(err, errDBNotApplied):
		return res, err // the database apply failed
	}
	res.Pods = run.Summary
	dbReady, measures := collector.Results(run.Summary)
	res.Report = compare.Report{Namespace: ns, DatabaseAppliedAt: appliedAt, DatabaseReadyAt: dbReady, Variants: measures}
	if cfg.JSON {
		err = res.Report.WriteJSON(cfg.Report)
	} else if cfg.BeforeText != nil {
		err = errors.Join(cfg.BeforeText(res), res.Report.WriteText(cfg.Report))
	} else {
		err = res.Report.WriteText(cfg.Report)
	}
	if err != nil {
		return res, err
	}
	if stuckErr != nil {
		return res, stuckErr
	}
	return res, readyOutcome(ctx, runCtx, cfg.Timeout, "every compared variant", run)
}

// groupOf is the variant (Deployment) of a pod, or compare.Database.
func groupOf(pod string) string {
	d := compare.DeploymentOfPod(pod)
	if d == "postgres" {
		return compare.Database
	}
	return d
}

// cleanup deletes what the run deployed unless keep: the namespace if the
// run made it, else the labelled objects.
func cleanup(s Stack, ns string, created, keep bool, notes io.Writer) error {
	if keep {
		fmt.Fprintf(notes, "kept: namespace %s (delete with: kubectl initwait down -n %s)\n", ns, ns)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if created {
		_, err := s.DeleteNamespace(ctx, ns, false, false, time.Minute)
		return err
	}
	kinds, err := stack.DeployedKinds()
	if err != nil {
		return err
	}
	_, err = s.Delete(ctx, ns, kinds, false, func(string) {})
	return err
}
