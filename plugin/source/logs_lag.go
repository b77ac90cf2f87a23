package source

import (
	"context"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// movedOn reports whether the kubelet already serves a later instance of
// c's container than c, although the pod status read here still shows c
// running; last is the time of c's newest line printed (zero if none).
//
// The kubelet serves logs by container name, not ID: after c's followed
// stream has ended, a new follow of the "current" log would be served the
// next instance's lines if c has ended meanwhile, and they would be printed
// as c's. The kubelet's "previous" log tells the two apart. While c is the
// current instance, the previous one ended before c started, so it holds no
// line stamped at or after c's newest line (or, if c printed none, a second
// past c's start: the status has whole seconds). Once c has ended, the
// previous log is c's own or a later instance's, and it does.
func (l *Logs) movedOn(ctx context.Context, uid types.UID, pod string, c instance, last time.Time) bool {
	from := last
	if from.IsZero() {
		start := l.runningSince(uid, c)
		if start.IsZero() {
			return false // nothing to tell instances apart by
		}
		from = start.Add(time.Second)
	}
	opts := &corev1.PodLogOptions{Container: c.name, Timestamps: true, Previous: true,
		SinceTime: &metav1.Time{Time: from}}
	found := false
	// An error (no previous instance, an unreachable API server) tells
	// nothing: the caller follows the current log as before.
	_ = l.scan(ctx, pod, opts, func(raw string) bool {
		stamp, _, _ := strings.Cut(raw, " ")
		ts, err := time.Parse(time.RFC3339Nano, stamp)
		found = err == nil && !ts.Before(from)
		return !found
	})
	return found
}

// runningSince is when the pod status says instance c started running
// (zero if it does not show c running, or not when).
func (l *Logs) runningSince(uid types.UID, c instance) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	if p := l.pods[uid]; p != nil {
		for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
			for _, cs := range list {
				if cs.Name == c.name && cs.ContainerID == c.id && cs.State.Running != nil {
					return cs.State.Running.StartedAt.Time
				}
			}
		}
	}
	return time.Time{}
}
