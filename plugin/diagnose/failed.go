package diagnose

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// failedPod gives the verdict on a pod in phase Failed: the container that
// failed it (exit code, reason, log tail) and the pod's own reason, if any.
func (d *Diagnoser) failedPod(ctx context.Context, rep PodReport, pod *corev1.Pod, warnings []string, now time.Time) PodReport {
	rep.Severity = SeverityProblem
	describe := fmt.Sprintf("kubectl describe pod %s -n %s", pod.Name, pod.Namespace)
	why := "the pod failed"
	switch {
	case pod.Status.Reason != "":
		why += " (" + pod.Status.Reason + ")"
	case pod.Spec.RestartPolicy == corev1.RestartPolicyNever:
		why += " (restartPolicy Never: no retry in this pod)"
	}
	if msg := oneLine(pod.Status.Message); msg != "" {
		why += ": " + msg
	}
	b, ok := failedContainer(pod)
	if !ok {
		rep.setSince(pod.CreationTimestamp.Time, now)
		rep.Verdict, rep.Cause = why, CauseFailed
		if pod.Status.Reason == "" && pod.Status.Message == "" {
			rep.Verdict += ": " + falseConditions(pod)
		}
		rep.Evidence = append(rep.Evidence, warnings...)
		rep.Next = []string{describe}
		return rep
	}
	rep.setSince(b.status.State.Terminated.FinishedAt.Time, now)
	cr := d.blockingEvidence(ctx, &rep, pod, b, now)
	rep.Evidence = append(rep.Evidence, warnings...)
	rep.Verdict = fmt.Sprintf("%s exited %s; %s", b.label(), strings.TrimPrefix(exitText(cr, b.spec), "code "), why)
	rep.Cause = dependencyCause(rep.Dependencies, CauseFailed)
	if dr, ok := worstDependency(rep.Dependencies); ok && !dr.OK {
		rep.Verdict += fmt.Sprintf("; it needs %s, but %s", dr.Address(), dr.Finding)
	}
	if tf, ok := toolProblem(b, cr, rep.Dependencies); ok {
		rep.Cause, rep.Verdict = tf.cause, tf.verdict+"; "+why
		rep.Evidence = append(append(rep.Evidence[:1:1], tf.evidence...), rep.Evidence[1:]...)
	}
	rep.Next = dedupe(append([]string{fmt.Sprintf("kubectl logs %s -n %s -c %s", pod.Name, pod.Namespace, cr.Name), describe},
		dependencyNext(rep.Dependencies)...))
	return rep
}

// failedContainer is the container that failed a Failed pod: the first init
// container, else app container, that terminated with a non-zero exit code.
func failedContainer(pod *corev1.Pod) (blocker, bool) {
	inits := statusByName(pod.Status.InitContainerStatuses)
	n := len(pod.Spec.InitContainers)
	for i := range pod.Spec.InitContainers {
		c := &pod.Spec.InitContainers[i]
		if st := inits[c.Name]; failedStatus(st) {
			typ := "init"
			if isSidecar(c) {
				typ = "sidecar"
			}
			return blocker{spec: c, status: st, typ: typ, index: i + 1, total: n}, true
		}
	}
	apps := statusByName(pod.Status.ContainerStatuses)
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		if st := apps[c.Name]; failedStatus(st) {
			return blocker{spec: c, status: st, typ: "app"}, true
		}
	}
	return blocker{}, false
}

func failedStatus(st *corev1.ContainerStatus) bool {
	return st != nil && st.State.Terminated != nil && st.State.Terminated.ExitCode != 0
}

// label names the container for a sentence without its place: `init container "x"`.
func (b blocker) label() string {
	switch b.typ {
	case "init":
		return fmt.Sprintf("init container %q", b.spec.Name)
	case "sidecar":
		return fmt.Sprintf("sidecar init container %q", b.spec.Name)
	}
	return fmt.Sprintf("container %q", b.spec.Name)
}

// pgIsReadyLine is pg_isready's report on a TCP host: `realdb:5432 - no response`.
var pgIsReadyLine = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9.-]*):([0-9]{1,5}) - (no response|rejecting connections|accepting connections|no attempt)$`)

// hostFromLog fills the host of a pg_isready dependency that could not be
// read from the spec (a variable from an unreadable Secret) from the
// container's log, where pg_isready prints it; note says so as evidence.
func hostFromLog(dep Dependency, cr *ContainerReport) (_ Dependency, note string) {
	if dep.Tool != "pg_isready" || dep.missing || !strings.Contains(dep.Host, "$") {
		return dep, ""
	}
	for _, lines := range [][]string{cr.Logs, cr.PreviousLogs} {
		for i := len(lines) - 1; i >= 0; i-- {
			m := pgIsReadyLine.FindStringSubmatch(strings.TrimSpace(lines[i]))
			if m == nil {
				continue
			}
			p, _ := strconv.Atoi(m[2])
			note = fmt.Sprintf("host %s read from the container's log (%q); the spec says: %s", m[1], lines[i], strings.Join(dep.Unresolved, "; "))
			dep.Host, dep.Port, dep.portRaw, dep.Unresolved = m[1], p, m[2], nil
			return dep, note
		}
	}
	return dep, ""
}
