package demo

import (
	"context"
	"sync"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/localcluster"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stream"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stuck"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stuckwatch"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// DetectCluster tells which local cluster the flows run on, for the
// advice on an image no registry serves; it is called only when something
// is stuck. nil means the cluster is not known.
type DetectCluster func(context.Context) localcluster.Cluster

// StuckError is how Up and Compare end when a container of the stack can
// never start by itself: Error is the one line that names it and says
// what to do. What was deployed is left in place.
type StuckError struct {
	Finding stuck.Finding
	Line    string
}

func (e *StuckError) Error() string { return e.Line }

// stackGuard watches every pod of the stack in a namespace while a flow
// streams its timeline, and stops the flow at the first container that
// can never start.
type stackGuard struct {
	watch  *stuckwatch.Watch
	advice stuck.Advice
	detect DetectCluster
	// images are the images this run deploys: a pod failing on another
	// is one a rollout of this run replaces.
	images map[string]bool

	mu    sync.Mutex
	found *stuck.Finding
}

// newStackGuard guards the stack r renders; remove is the command that
// removes it, for the line.
func newStackGuard(c stream.Clients, r stack.RenderOptions, remove string, detect DetectCluster) *stackGuard {
	image, postgres := stack.DefaultImage, stack.DefaultPostgresImage
	if r.Image != "" {
		image = r.Image
	}
	if r.PostgresImage != "" {
		postgres = r.PostgresImage
	}
	flags := map[string]string{image: "--image", postgres: "--postgres-image"}
	tgt := target.Target{Namespace: r.Namespace, LabelSelector: stack.LabelPartOf + "=" + stack.PartOf,
		Description: "the demo stack"}
	return &stackGuard{watch: &stuckwatch.Watch{Tables: c.Tables, Target: tgt},
		advice: stuck.Advice{ImageFlags: flags, Remove: remove, Diagnose: true}, detect: detect,
		images: map[string]bool{image: true, postgres: true}}
}

// timeline puts the guard in front of tl, keeping its Summary.
func (g *stackGuard) timeline(tl Timeline) Timeline {
	return guardedTimeline{sink: g.watch.Sink(tl), Timeline: tl}
}

// sink puts the guard in front of a sink.
func (g *stackGuard) sink(s timeline.Sink) timeline.Sink { return g.watch.Sink(s) }

// start runs the guard until ctx ends; the first finding is kept for Err
// and calls stop. The returned func waits for the guard to have returned.
func (g *stackGuard) start(ctx context.Context, stop func()) (wait func()) {
	ctx, cancel := context.WithCancel(ctx)
	g.watch.OnStuck = func(f stuck.Finding) { // cheap: it may run inside the timeline's Emit
		if !g.images[f.Image] {
			return // an earlier run's pod, which this run's rollout replaces
		}
		g.mu.Lock()
		first := g.found == nil
		if first {
			g.found = &f
		}
		g.mu.Unlock()
		if first {
			stop()
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = g.watch.Run(ctx) // a pod list that fails fails the timeline too, which says so
	}()
	return func() { cancel(); <-done }
}

// Err is the first stuck container found, as a *StuckError whose line
// names the cluster's own load command (detected now), or nil.
func (g *stackGuard) Err(ctx context.Context) error {
	g.mu.Lock()
	f := g.found
	g.mu.Unlock()
	if f == nil {
		return nil
	}
	a := g.advice
	if g.detect != nil {
		a.Cluster = g.detect(context.WithoutCancel(ctx)) // also after Ctrl-C; the detector bounds its own time
	}
	return &StuckError{Finding: *f, Line: stuck.Line(*f, a)}
}

type guardedTimeline struct {
	sink timeline.Sink
	Timeline
}

func (g guardedTimeline) Emit(e timeline.Entry) error { return g.sink.Emit(e) }

// Unwrap is the guard's sink in front of the timeline (timeline.Wrapper).
func (g guardedTimeline) Unwrap() timeline.Sink { return g.sink }
