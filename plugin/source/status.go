package source

import (
	"regexp"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// backOffRe finds the delay in the kubelet's CrashLoopBackOff message,
// "back-off 40s restarting failed container=app pod=...".
var backOffRe = regexp.MustCompile(`back-off (\d+[a-z0-9.]*) restarting`)

// StatusOf builds the status of a row: kubectl's cells from the API server,
// plus what kubectl hides — the blocking init container and how long it has
// blocked, and the back-off of a crash-looping container.
func StatusOf(r PodRow, deleted bool, now time.Time) *timeline.StatusInfo {
	p := r.Pod
	s := &timeline.StatusInfo{
		Status: r.Status, Ready: r.Ready, RestartsText: r.Restarts, Restarts: r.RestartCount(),
		Deleted: deleted, Created: p.CreationTimestamp.Time,
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			s.PodReady, s.ReadyAt = true, c.LastTransitionTime.Time
		}
	}
	if strings.HasPrefix(r.Status, "Init:") {
		s.Blocking, s.BlockedFor = blockingInit(p, now)
	}
	for _, cs := range allStatuses(p) {
		s.TotalRestarts += int(cs.RestartCount)
	}
	for _, cs := range allStatuses(p) {
		if w := cs.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
			s.Container = cs.Name
			if m := backOffRe.FindStringSubmatch(w.Message); m != nil {
				s.BackOff, _ = time.ParseDuration(m[1])
			}
			break
		}
	}
	return s
}

// blockingInit returns the first init container that has not completed and
// how long it has blocked: since the previous init container finished, or
// since the pod started for the first one.
func blockingInit(p *corev1.Pod, now time.Time) (string, time.Duration) {
	since := time.Time{}
	if p.Status.StartTime != nil {
		since = p.Status.StartTime.Time
	}
	for _, cs := range p.Status.InitContainerStatuses {
		if t := cs.State.Terminated; t != nil && t.ExitCode == 0 {
			since = t.FinishedAt.Time
			continue
		}
		if isSidecar(p, cs.Name) && cs.Started != nil && *cs.Started {
			continue
		}
		if since.IsZero() || now.Before(since) {
			return cs.Name, 0
		}
		return cs.Name, now.Sub(since)
	}
	return "", 0
}

// isSidecar reports whether init container name has restartPolicy Always.
func isSidecar(p *corev1.Pod, name string) bool {
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return false
}

func allStatuses(p *corev1.Pod) []corev1.ContainerStatus {
	out := make([]corev1.ContainerStatus, 0, len(p.Status.InitContainerStatuses)+len(p.Status.ContainerStatuses))
	out = append(out, p.Status.InitContainerStatuses...)
	return append(out, p.Status.ContainerStatuses...)
}
