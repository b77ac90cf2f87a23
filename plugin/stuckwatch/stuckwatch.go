// Package stuckwatch runs a stuck.Detector beside a timeline: it follows
// the pods of a target with a pod watch of its own (so that it judges
// every pod of a stack, not only those the timeline shows), reads the
// kubelet's events from the timeline it is put in front of, and reports
// each container that can never start by itself, once.
package stuckwatch

import (
	"context"
	"sync"
	"time"

	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stuck"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Watch follows Target's pods and calls OnStuck once per stuck.Finding key.
type Watch struct {
	Tables source.PodTables
	Target target.Target
	// Detector is used as it is (its graces, zero for the defaults).
	Detector stuck.Detector
	// OnStuck is called with each new finding, one call at a time, never
	// while an entry is being written.
	OnStuck func(stuck.Finding)
	// Clock is the clock (default the wall clock); Tick how often the
	// graces are judged when nothing changes (default 1s).
	Clock clock.Clock
	Tick  time.Duration

	mu     sync.Mutex // guards Detector and the next sink
	next   timeline.Sink
	callMu sync.Mutex // one OnStuck at a time; guards done
	done   bool
}

func (w *Watch) clock() clock.Clock {
	if w.Clock == nil {
		return clock.RealClock{}
	}
	return w.Clock
}

func (w *Watch) now() time.Time { return w.clock().Now() }

// Sink returns a Sink that shows each entry to the detector and writes it
// to next. Put it in front of the timeline's renderer.
func (w *Watch) Sink(next timeline.Sink) timeline.Sink {
	w.mu.Lock()
	w.next = next
	w.mu.Unlock()
	return guardSink{w: w, next: next}
}

// guardSink is the Sink that Sink returns; it unwraps to next.
type guardSink struct {
	w    *Watch
	next timeline.Sink
}

func (g guardSink) Emit(e timeline.Entry) error {
	w := g.w
	w.mu.Lock()
	w.Detector.ObserveEntry(e)
	err := w.next.Emit(e)
	w.mu.Unlock()
	w.check()
	return err
}

// Unwrap is the sink the entries go on to (timeline.Wrapper).
func (g guardSink) Unwrap() timeline.Sink { return g.next }

// Emit writes e (a notice of the caller's) to the sink Sink was given,
// serialised with the timeline's own entries; without one it does nothing.
func (w *Watch) Emit(e timeline.Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.next == nil {
		return nil
	}
	return w.next.Emit(e)
}

// Run follows the pods until ctx ends; its error is the pod watch's (the
// pods cannot be listed), and nothing is reported after it returns.
func (w *Watch) Run(ctx context.Context) error {
	tick := w.Tick
	if tick == 0 {
		tick = time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := w.clock().NewTimer(tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C():
				w.check()
				t.Reset(tick)
			}
		}
	}()
	pw := &source.PodWatch{Tables: w.Tables, Target: w.Target, Clock: w.Clock, OnRow: func(row source.PodRow, deleted bool) {
		w.mu.Lock()
		w.Detector.ObservePod(row.Pod, deleted, w.now())
		w.mu.Unlock()
		w.check()
	}}
	err := pw.Run(ctx)
	cancel()
	wg.Wait()
	w.callMu.Lock()
	w.done = true
	w.callMu.Unlock()
	return err
}

// check reports what the detector finds stuck now.
func (w *Watch) check() {
	w.callMu.Lock()
	defer w.callMu.Unlock()
	if w.done {
		return
	}
	w.mu.Lock()
	found := w.Detector.Check(w.now())
	w.mu.Unlock()
	for _, f := range found {
		if w.OnStuck != nil {
			w.OnStuck(f)
		}
	}
}
