package diagnose

import (
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// A running container that is not Ready is "progressing" while its probes
// may still pass. It becomes a problem when
//   - it has run longer than its readiness budget and its probe failed at
//     least minUnhealthy times (Unhealthy events), or
//   - it has run longer than notReadyCap (or the budget, if longer) with
//     or without events.
//
// The readiness budget is the startup probe's plus the readiness probe's
// initialDelaySeconds + failureThreshold × periodSeconds (Kubernetes
// defaults: 0, 3, 10s), and at least minReadinessBudget.
const (
	notReadyCap        = 3 * time.Minute
	minReadinessBudget = 30 * time.Second
	minUnhealthy       = 3
)

// notReady is the judgement on a running container that is not Ready.
type notReady struct {
	severity Severity
	// running is how long the container has been running, budget its readiness budget.
	running, budget time.Duration
	budgetText      string
	// unhealthy counts the container's probe failures (Unhealthy events); last is the latest message.
	unhealthy int
	last      string
}

// judgeNotReady judges container b, running but not Ready, from its probes and the pod's events (oldest first).
func judgeNotReady(b blocker, events []corev1.Event, now time.Time) notReady {
	since := b.since
	if st := b.status; st != nil && st.State.Running != nil && !st.State.Running.StartedAt.IsZero() {
		since = st.State.Running.StartedAt.Time
	}
	nr := notReady{severity: SeverityProgressing, running: now.Sub(since)}
	nr.budget, nr.budgetText = readinessBudget(b.spec)
	for _, e := range events {
		if e.Reason == "Unhealthy" && eventForContainer(e, b.spec.Name) {
			nr.unhealthy += eventCount(e)
			nr.last = oneLine(e.Message)
		}
	}
	if nr.running > nr.budget && nr.unhealthy >= minUnhealthy || nr.running > max(notReadyCap, nr.budget) {
		nr.severity = SeverityProblem
	}
	return nr
}

// why words a problem judgement: the probe failures against the budget, or the cap.
func (nr notReady) why() string {
	if nr.unhealthy >= minUnhealthy && nr.running > nr.budget {
		return fmt.Sprintf("%s, beyond its readiness budget of %s", nr.eventText(), nr.budgetText)
	}
	s := fmt.Sprintf("not Ready after more than %s", max(notReadyCap, nr.budget))
	if nr.unhealthy > 0 {
		s += "; " + nr.eventText()
	}
	return s
}

// eventText is the Unhealthy events with their count: `Unhealthy ×12: Readiness probe failed: ...`.
func (nr notReady) eventText() string {
	return fmt.Sprintf("Unhealthy ×%d: %s", nr.unhealthy, nr.last)
}

// readinessBudget is how long a container may take to become Ready, with how it was computed.
func readinessBudget(c *corev1.Container) (time.Duration, string) {
	var total time.Duration
	var parts []string
	for _, p := range []struct {
		name  string
		probe *corev1.Probe
	}{{"startup", c.StartupProbe}, {"readiness", c.ReadinessProbe}} {
		if p.probe == nil {
			continue
		}
		delay, period, failures := p.probe.InitialDelaySeconds, p.probe.PeriodSeconds, p.probe.FailureThreshold
		if period <= 0 {
			period = 10
		}
		if failures <= 0 {
			failures = 3
		}
		total += time.Duration(delay+failures*period) * time.Second
		parts = append(parts, fmt.Sprintf("%s initialDelaySeconds %d + %d × periodSeconds %d", p.name, delay, failures, period))
	}
	text := fmt.Sprintf("%s (%s)", total, strings.Join(parts, " + "))
	switch {
	case len(parts) == 0:
		text = fmt.Sprintf("%s (no probe: the minimum)", minReadinessBudget)
	case total < minReadinessBudget:
		text = fmt.Sprintf("%s (%s = %s, raised to the minimum)", minReadinessBudget, strings.Join(parts, " + "), total)
	}
	return max(total, minReadinessBudget), text
}

// eventForContainer tells whether a pod event is about container name (or the whole pod).
func eventForContainer(e corev1.Event, name string) bool {
	fp := e.InvolvedObject.FieldPath
	return fp == "" || strings.HasSuffix(fp, "{"+name+"}")
}

// eventCount is how many times an event happened: Count, or its series' count.
func eventCount(e corev1.Event) int {
	n := int(e.Count)
	if e.Series != nil && int(e.Series.Count) > n {
		n = int(e.Series.Count)
	}
	return max(n, 1)
}
