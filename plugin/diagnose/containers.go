package diagnose

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// blocker is the container a pod waits on.
type blocker struct {
	spec   *corev1.Container
	status *corev1.ContainerStatus // nil before the container was ever created
	// typ is init, sidecar or app; index and total place an init container.
	typ          string
	index, total int
	// since is when this container's turn came.
	since time.Time
}

func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

func statusByName(list []corev1.ContainerStatus) map[string]*corev1.ContainerStatus {
	m := make(map[string]*corev1.ContainerStatus, len(list))
	for i := range list {
		m[list[i].Name] = &list[i]
	}
	return m
}

// podReady tells whether the pod's Ready condition is True.
func podReady(pod *corev1.Pod) bool {
	return conditionStatus(pod, corev1.PodReady) == corev1.ConditionTrue
}

func condition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func conditionStatus(pod *corev1.Pod, t corev1.PodConditionType) corev1.ConditionStatus {
	if c := condition(pod, t); c != nil {
		return c.Status
	}
	return corev1.ConditionUnknown
}

// findBlocking returns the container that keeps pod from being Ready: the
// first init container that has not succeeded (a native sidecar: that has
// not started), else the first app container, else sidecar, that is not Ready.
func findBlocking(pod *corev1.Pod) (blocker, bool) {
	turn := pod.CreationTimestamp.Time
	if pod.Status.StartTime != nil {
		turn = pod.Status.StartTime.Time
	}
	inits := statusByName(pod.Status.InitContainerStatuses)
	n := len(pod.Spec.InitContainers)
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		st := inits[c.Name]
		b := blocker{spec: c, status: st, typ: "init", index: i + 1, total: n, since: turn}
		if isSidecar(c) {
			b.typ = "sidecar"
			if st != nil && st.Started != nil && *st.Started {
				if st.State.Running != nil {
					turn = st.State.Running.StartedAt.Time
				}
				continue
			}
			return b, true
		}
		if st != nil && st.State.Terminated != nil && st.State.Terminated.ExitCode == 0 {
			turn = st.State.Terminated.FinishedAt.Time
			continue
		}
		return b, true
	}
	apps := statusByName(pod.Status.ContainerStatuses)
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if st := apps[c.Name]; st == nil || !st.Ready {
			return blocker{spec: c, status: st, typ: "app", since: turn}, true
		}
	}
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if st := inits[c.Name]; isSidecar(c) && (st == nil || !st.Ready) {
			return blocker{spec: c, status: st, typ: "sidecar", index: i + 1, total: n, since: turn}, true
		}
	}
	return blocker{}, false
}

// describe names the container for a sentence: `init container "x" (1/2)`.
func (b blocker) describe() string {
	switch b.typ {
	case "init":
		return fmt.Sprintf("init container %q (%d/%d)", b.spec.Name, b.index, b.total)
	case "sidecar":
		return fmt.Sprintf("sidecar init container %q (%d/%d, restartPolicy Always)", b.spec.Name, b.index, b.total)
	}
	return fmt.Sprintf("container %q", b.spec.Name)
}

// containerReport reads the blocking container's state and logs.
func (d *Diagnoser) containerReport(ctx context.Context, pod *corev1.Pod, b blocker) *ContainerReport {
	cr := &ContainerReport{Name: b.spec.Name, Type: b.typ, Image: b.spec.Image, State: "waiting", Reason: "not created yet"}
	st := b.status
	if st == nil {
		return cr
	}
	cr.Restarts = st.RestartCount
	cr.Reason = ""
	switch s := st.State; {
	case s.Waiting != nil:
		cr.State, cr.Reason, cr.Message = "waiting", s.Waiting.Reason, oneLine(s.Waiting.Message)
	case s.Running != nil:
		cr.State = "running"
	case s.Terminated != nil:
		cr.State, cr.Reason, cr.Message = "terminated", s.Terminated.Reason, oneLine(s.Terminated.Message)
	}
	last := st.State.Terminated
	if last == nil {
		last = st.LastTerminationState.Terminated
	}
	if last != nil {
		code := last.ExitCode
		cr.LastExitCode, cr.LastReason, cr.LastMessage = &code, last.Reason, oneLine(last.Message)
	}
	hasInstance := st.ContainerID != "" || st.State.Running != nil || st.State.Terminated != nil || last != nil
	if !hasInstance {
		return cr
	}
	cur, err := d.reader.Log(ctx, pod, b.spec.Name, false, d.tail())
	if err != nil {
		cr.LogError = oneLine(err.Error())
	}
	cr.Logs, cr.WaitingLines, cr.signals, cr.LogsFrom = cur.tail, cur.waitingLines, cur.signals, cur.from
	if st.RestartCount > 0 && err == nil {
		prev, err := d.reader.Log(ctx, pod, b.spec.Name, true, d.tail())
		if err == nil && !logGone(prev.tail) {
			cr.PreviousLogs = prev.tail
			cr.WaitingLines += prev.waitingLines
			cr.signals.merge(prev.signals)
		}
	}
	return cr
}

// tail is the number of log lines to keep: TailLines, 5 when 0, none when negative.
func (d *Diagnoser) tail() int {
	switch {
	case d.TailLines < 0:
		return 0
	case d.TailLines == 0:
		return 5
	}
	return d.TailLines
}

// logGone tells the kubelet's answer for a log it no longer has (the
// container was removed), which it sends as the log's content.
func logGone(lines []string) bool {
	return len(lines) == 1 && strings.HasPrefix(lines[0], "unable to retrieve container logs for ")
}

// imageErrors are the waiting reasons of a container whose image cannot be had.
var imageErrors = map[string]bool{
	"ImagePullBackOff": true, "ErrImagePull": true, "InvalidImageName": true,
	"ErrImageNeverPull": true, "ImageInspectError": true, "RegistryUnavailable": true,
}

// configErrors are the waiting reasons of a container that cannot be created.
var configErrors = map[string]bool{
	"CreateContainerConfigError": true, "CreateContainerError": true, "RunContainerError": true,
}

// crashed tells whether the container is crash-looping or has just failed.
func crashed(st *corev1.ContainerStatus) bool {
	if st == nil {
		return false
	}
	if w := st.State.Waiting; w != nil && w.Reason == "CrashLoopBackOff" {
		return true
	}
	return st.State.Terminated != nil && st.State.Terminated.ExitCode != 0
}

// exitText describes the last exit: `code 1 (Error)`, with OOMKilled advice.
func exitText(cr *ContainerReport, spec *corev1.Container) string {
	if cr.LastExitCode == nil {
		return ""
	}
	s := fmt.Sprintf("code %d", *cr.LastExitCode)
	if cr.LastReason != "" {
		s += " (" + cr.LastReason + ")"
	}
	if cr.LastReason == "OOMKilled" {
		if lim, ok := spec.Resources.Limits[corev1.ResourceMemory]; ok {
			s += fmt.Sprintf(": it needs more than its memory limit of %s", lim.String())
		} else {
			s += ": it ran out of memory"
		}
	}
	return s
}
