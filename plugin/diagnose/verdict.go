package diagnose

import (
	"context"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// diagnosePod gives the verdict on one pod.
func (d *Diagnoser) diagnosePod(ctx context.Context, row PodRow, now time.Time) PodReport {
	pod := row.Pod
	rep := PodReport{Name: pod.Name, Status: row.Status, Ready: podReady(pod)}
	describe := fmt.Sprintf("kubectl describe pod %s -n %s", pod.Name, pod.Namespace)
	switch {
	case pod.DeletionTimestamp != nil:
		// Before Ready and Succeeded: a terminating pod counts as neither.
		rep.Severity, rep.Verdict, rep.Cause = SeverityProgressing, "being deleted", CauseTerminating
		if p := pod.Status.Phase; p == corev1.PodSucceeded || p == corev1.PodFailed {
			rep.Verdict += fmt.Sprintf(" (it ended %s)", p)
		}
		return rep
	case rep.Ready:
		rep.Severity, rep.Verdict = SeverityOK, "Ready"
		return rep
	case pod.Status.Phase == corev1.PodSucceeded:
		rep.Severity, rep.Verdict = SeverityOK, "Completed"
		return rep
	}
	events := d.reader.PodEvents(ctx, pod)
	warnings := warningEvents(events, now, 3)
	refs := checkRefs(ctx, d.reader, pod)
	for _, r := range refs {
		rep.Evidence = append(rep.Evidence, r.text)
	}
	if pod.Status.Phase == corev1.PodFailed {
		return d.failedPod(ctx, rep, pod, warnings, now)
	}
	if c := condition(pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
		rep.setSince(pod.CreationTimestamp.Time, now)
		rep.Severity = SeverityProgressing
		if c.Reason == corev1.PodReasonUnschedulable {
			rep.Severity = SeverityProblem
		}
		rep.Verdict = fmt.Sprintf("not scheduled (%s): %s", c.Reason, oneLine(c.Message))
		rep.Cause = CauseUnschedulable
		rep.Evidence = append(rep.Evidence, warnings...)
		rep.Next = []string{describe, "kubectl get nodes"}
		return rep
	}
	b, ok := findBlocking(pod)
	if !ok {
		rep.setSince(pod.CreationTimestamp.Time, now)
		rep.Severity = SeverityProgressing
		rep.Verdict = "all containers are ready, but the pod is not: " + falseConditions(pod)
		rep.Cause = CauseConditions
		rep.Evidence = append(rep.Evidence, warnings...)
		rep.Next = []string{describe}
		return rep
	}
	rep.setSince(b.since, now)
	cr := d.blockingEvidence(ctx, &rep, pod, b, now)
	logs := fmt.Sprintf("kubectl logs %s -n %s -c %s", pod.Name, pod.Namespace, cr.Name)
	rep.Evidence = append(rep.Evidence, warnings...)
	depNext := dependencyNext(rep.Dependencies)
	st := b.status
	name := cr.Name
	tf, ok := toolProblem(b, cr, rep.Dependencies)
	if !ok {
		tf, ok = forbiddenProblem(pod, cr, rep.Dependencies)
	}
	if ok {
		rep.Severity, rep.Cause, rep.Verdict = SeverityProblem, tf.cause, tf.verdict
		rep.Evidence = append(append(rep.Evidence[:1:1], tf.evidence...), rep.Evidence[1:]...)
		rep.Next = dedupe(append([]string{logs, describe}, depNext...))
		if tf.cause == CauseForbidden {
			rep.Next = dedupe(append(append(tf.next, depNext...), logs))
		}
		return rep
	}
	switch {
	case st != nil && st.State.Waiting != nil && imageErrors[st.State.Waiting.Reason]:
		rep.Severity = SeverityProblem
		rep.Verdict = fmt.Sprintf("%s cannot pull image %q (%s)", name, cr.Image, cr.Reason)
		rep.Cause = CauseImagePull
		rep.Next = []string{describe}
	case st != nil && st.State.Waiting != nil && configErrors[st.State.Waiting.Reason]:
		rep.Severity = SeverityProblem
		why := cr.Message
		rep.Cause = CauseCreateError
		if env := envRefProblems(refs); len(env) > 0 {
			why, rep.Cause = env[0].text, refCause(env[0])
		}
		rep.Verdict = fmt.Sprintf("%s cannot be created (%s): %s", name, cr.Reason, why)
		rep.Next = []string{describe, fmt.Sprintf("kubectl get secrets,configmaps -n %s", pod.Namespace)}
	case st == nil || st.State.Waiting != nil && !crashed(st):
		rep.Severity = SeverityProgressing
		rep.Verdict, rep.Cause = fmt.Sprintf("%s is being created", name), CauseStarting
		if vol := volumeRefProblems(refs); len(vol) > 0 {
			rep.Severity, rep.Cause = SeverityProblem, refCause(vol[0])
			rep.Verdict = fmt.Sprintf("%s cannot start: %s", name, vol[0].text)
		} else if len(warnings) > 0 {
			rep.Verdict += " (" + strings.SplitN(warnings[len(warnings)-1], ":", 2)[0] + ")"
		}
		rep.Next = []string{describe}
	case crashed(st):
		rep.Severity = SeverityProblem
		rep.Verdict = fmt.Sprintf("%s exits with %s and is restarted with back-off (%d restarts)", name, exitText(cr, b.spec), cr.Restarts)
		rep.Cause = dependencyCause(rep.Dependencies, CauseCrashLoop)
		if dr, ok := worstDependency(rep.Dependencies); ok && !dr.OK {
			rep.Verdict += fmt.Sprintf("; it needs %s, but %s", dr.Address(), dr.Finding)
		}
		rep.Next = append([]string{logs + " --previous"}, depNext...)
	case b.typ == "app" || b.typ == "sidecar" && st.Started != nil && *st.Started:
		nr := judgeNotReady(b, events, now)
		rep.Severity, rep.Cause = nr.severity, CauseNotReady
		rep.Verdict = fmt.Sprintf("%s is running but not Ready", name)
		if nr.severity == SeverityProblem {
			rep.Verdict = fmt.Sprintf("%s has been running for %s but is not Ready: %s", name, nr.running.Round(time.Second), nr.why())
		} else if u := lastEvent(events, "Unhealthy"); u != "" {
			rep.Verdict += " (" + u + ")"
		}
		rep.Next = append([]string{describe, logs}, depNext...)
	default:
		rep.Severity, rep.Verdict = waitVerdict(name, rep.Dependencies, now.Sub(b.since))
		rep.Cause = waitCause(rep.Dependencies)
		rep.Next = append([]string{logs}, depNext...)
	}
	rep.Next = dedupe(rep.Next)
	return rep
}

// blockingEvidence reads the blocking container's report, parses and
// follows what it waits for, and puts the container line first in the
// evidence, the dependencies' findings after the existing evidence.
func (d *Diagnoser) blockingEvidence(ctx context.Context, rep *PodReport, pod *corev1.Pod, b blocker, now time.Time) *ContainerReport {
	cr := d.containerReport(ctx, pod, b)
	rep.Blocking = cr
	deps, notes := containerDependencies(ctx, d.reader, pod, b.spec)
	for _, dep := range deps {
		dep, note := hostFromLog(dep, cr)
		dr := d.checkWait(ctx, pod, dep)
		if note != "" {
			dr.Evidence = append([]string{note}, dr.Evidence...)
		}
		rep.Dependencies = append(rep.Dependencies, dr)
	}
	rep.Evidence = append(append([]string{containerLine(b, cr, now)}, rep.Evidence...), notes...)
	for _, dr := range rep.Dependencies {
		rep.Evidence = append(rep.Evidence, fmt.Sprintf("%s %s: %s", dr.Tool, dr.Address(), dr.Finding))
		for _, e := range dr.Evidence {
			rep.Evidence = append(rep.Evidence, "  "+e)
		}
	}
	return cr
}

// containerLine is the first evidence line: the blocking container's state.
func containerLine(b blocker, cr *ContainerReport, now time.Time) string {
	s := fmt.Sprintf("%s, image %s: %s", b.describe(), cr.Image, cr.State)
	if cr.Reason != "" {
		s += " (" + cr.Reason + ")"
	}
	if st := b.status; st != nil && st.State.Running != nil {
		s += fmt.Sprintf(" for %s", ago(now, st.State.Running.StartedAt.Time))
	}
	s += fmt.Sprintf(", %d restarts, %d %q log lines", cr.Restarts, cr.WaitingLines, "waiting for")
	if e := exitText(cr, b.spec); e != "" {
		s += ", last exit " + e
	}
	if cr.Message != "" {
		s += ": " + cr.Message
	}
	return s
}

func (r *PodReport) setSince(t time.Time, now time.Time) {
	if t.IsZero() {
		return
	}
	t = t.UTC()
	r.Since = &t
	r.ForSeconds = int64(now.Sub(t) / time.Second)
	if r.ForSeconds < 0 {
		r.ForSeconds = 0
	}
}

func falseConditions(pod *corev1.Pod) string {
	var parts []string
	for _, c := range pod.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			parts = append(parts, fmt.Sprintf("%s=%s %s", c.Type, c.Status, c.Reason))
		}
	}
	if len(parts) == 0 {
		return "no condition explains it"
	}
	return strings.Join(parts, ", ")
}

func lastEvent(events []corev1.Event, reason string) string {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Reason == reason {
			return oneLine(events[i].Message)
		}
	}
	return ""
}

// envRefProblems are the missing Secrets, ConfigMaps and keys env needs
// (not the unreadable ones).
func envRefProblems(refs []refProblem) []refProblem {
	var out []refProblem
	for _, r := range refs {
		if !r.volume && !r.unknown {
			out = append(out, r)
		}
	}
	return out
}

// volumeRefProblems are the missing Secrets, ConfigMaps and keys volumes
// need (not the unreadable ones).
func volumeRefProblems(refs []refProblem) []refProblem {
	var out []refProblem
	for _, r := range refs {
		if r.volume && !r.unknown {
			out = append(out, r)
		}
	}
	return out
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
