package source

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

// init makes the maps and the drain signal on first use; l.mu must be held.
func (l *Logs) init() {
	if !l.initialised {
		l.pods, l.instances, l.missing = map[types.UID]*corev1.Pod{}, map[string]bool{}, map[string]bool{}
		l.printed = map[string]*printedLines{}
		l.drain, l.startDrain = context.WithCancel(context.Background())
		l.initialised = true
	}
}

// Drain stops following: every follower reads its instance's log once more
// without following, from the last line printed, so that the lines written
// up to now are printed. It waits at most timeout for them; the caller then
// cancels the followers' context and calls Wait.
func (l *Logs) Drain(timeout time.Duration) {
	l.mu.Lock()
	l.init()
	l.startDrain()
	l.mu.Unlock()
	done := make(chan struct{})
	go func() {
		l.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-wallIfNil(l.Clock).After(timeout):
	}
}

// draining reports whether Drain has been called.
func (l *Logs) draining() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.drain != nil && l.drain.Err() != nil
}

// hasContainer reports whether the pod's spec has a container (init,
// sidecar, app or ephemeral) called name.
func hasContainer(p *corev1.Pod, name string) bool {
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range p.Spec.Containers {
		if c.Name == name {
			return true
		}
	}
	for _, c := range p.Spec.EphemeralContainers {
		if c.Name == name {
			return true
		}
	}
	return false
}
