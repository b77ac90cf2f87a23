package source

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// rotationCheck is how often the kubelet looks for container logs past
// containerLogMaxSize (its containerLogMonitorInterval, 10 s): a log it
// rotated holds nothing older than one such period after the start.
const rotationCheck = 10 * time.Second

// noteRotated says what may be lost of a crashed instance whose log was
// read in one pass after it ended: the kubelet serves only an instance's
// current log file, so lines it rotated away (an instance that wrote more
// than containerLogMaxSize) cannot be read. It speaks when the log is empty
// although the instance ran past a rotation check, or when the first line
// comes a rotation check or more after the start; first is the first
// line's time (zero: none).
func (l *Logs) noteRotated(uid types.UID, pod string, c instance, first time.Time) {
	t := l.terminated(uid, c)
	if t == nil || t.ExitCode == 0 || t.StartedAt.IsZero() {
		return
	}
	id := strings.TrimPrefix(c.id, "containerd://")
	if i := strings.Index(id, "://"); i >= 0 {
		id = id[i+3:]
	}
	if len(id) > 12 {
		id = id[:12]
	}
	what := fmt.Sprintf("container %s (instance %s, exit %d)", c.name, id, t.ExitCode)
	var msg string
	switch ran := t.FinishedAt.Sub(t.StartedAt.Time); {
	case first.IsZero() && ran >= rotationCheck:
		msg = fmt.Sprintf("%s ran %s and its log is empty: if it wrote more than the kubelet's containerLogMaxSize (default 10Mi), the kubelet rotated those lines away and only its current, empty log file can be read", what, ran.Round(time.Second))
	case !first.IsZero() && first.Sub(t.StartedAt.Time) >= rotationCheck:
		msg = fmt.Sprintf("%s: its log starts %s after it started: if it wrote more than the kubelet's containerLogMaxSize (default 10Mi), the kubelet rotated the earlier lines away and they cannot be read", what, first.Sub(t.StartedAt.Time).Round(time.Second))
	default:
		return
	}
	l.Emit(timeline.Entry{Time: time.Now(), Kind: timeline.KindNotice, Namespace: l.Namespace, Pod: pod, Notice: msg})
}

// terminated is the terminated state of instance c in the latest pod.
func (l *Logs) terminated(uid types.UID, c instance) *corev1.ContainerStateTerminated {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pods[uid]
	if p == nil {
		return nil
	}
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range list {
			switch {
			case cs.Name != c.name:
			case cs.ContainerID == c.id && cs.State.Terminated != nil:
				return cs.State.Terminated
			case cs.LastTerminationState.Terminated != nil && cs.LastTerminationState.Terminated.ContainerID == c.id:
				return cs.LastTerminationState.Terminated
			}
		}
	}
	return nil
}
