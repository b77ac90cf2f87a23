package diagnose

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// backing is what one pod behind a Service is doing.
type backing struct {
	severity Severity
	summary  string
	evidence []string
	next     []string
}

// backingPodState explains why a pod selected by a Service gives no ready
// endpoint on sp: not scheduled, image or config errors, crash loop, still
// in init, being created, or running but not Ready.
func (d *Diagnoser) backingPodState(ctx context.Context, row PodRow, sp corev1.ServicePort) backing {
	pod := row.Pod
	now := d.now()
	name := fmt.Sprintf("pod %s is %s", pod.Name, row.Status)
	describe := fmt.Sprintf("kubectl describe pod %s -n %s", pod.Name, pod.Namespace)
	b := backing{severity: SeverityProgressing, summary: name}
	switch {
	case pod.DeletionTimestamp != nil:
		b.summary = fmt.Sprintf("pod %s is terminating", pod.Name)
		return b
	case podReady(pod):
		if sp.TargetPort.Type == intstr.String && !hasNamedPort(pod, sp.TargetPort.StrVal) {
			b.severity = SeverityProblem
			b.summary = fmt.Sprintf("pod %s is Ready but has no container port named %q (the Service's targetPort)", pod.Name, sp.TargetPort.StrVal)
			return b
		}
		b.summary = fmt.Sprintf("pod %s is Ready but not yet in the EndpointSlice", pod.Name)
		return b
	}
	if c := condition(pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
		if c.Reason == corev1.PodReasonUnschedulable {
			b.severity = SeverityProblem
		}
		b.summary = fmt.Sprintf("pod %s is Pending, not scheduled for %s: %s", pod.Name, ago(now, c.LastTransitionTime.Time), oneLine(c.Message))
		b.next = []string{describe}
		return b
	}
	blk, ok := findBlocking(pod)
	if !ok {
		b.summary = name + " with all containers ready"
		return b
	}
	st := blk.status
	switch {
	case st != nil && st.State.Waiting != nil && (imageErrors[st.State.Waiting.Reason] || configErrors[st.State.Waiting.Reason]):
		b.severity = SeverityProblem
		b.summary = fmt.Sprintf("%s: %s %s: %s", name, blk.describe(), st.State.Waiting.Reason, oneLine(st.State.Waiting.Message))
		for _, r := range checkRefs(ctx, d.reader, pod) {
			b.evidence = append(b.evidence, r.text)
		}
		b.next = []string{describe}
	case crashed(st):
		b.severity = SeverityProblem
		cr := d.containerReport(ctx, pod, blk)
		b.summary = fmt.Sprintf("%s: %s exits with %s (%d restarts)", name, blk.describe(), exitText(cr, blk.spec), cr.Restarts)
		lines := cr.PreviousLogs
		if len(lines) == 0 {
			lines = cr.Logs
		}
		for _, l := range lines {
			b.evidence = append(b.evidence, fmt.Sprintf("%s/%s log: %s", pod.Name, blk.spec.Name, l))
		}
		b.next = []string{fmt.Sprintf("kubectl logs %s -n %s -c %s --previous", pod.Name, pod.Namespace, blk.spec.Name)}
	case blk.typ != "app" && !(blk.typ == "sidecar" && st != nil && st.Started != nil && *st.Started):
		b.summary = fmt.Sprintf("%s: %s has not finished", name, blk.describe())
		b.next = []string{fmt.Sprintf("kubectl initwait diagnose pod/%s -n %s", pod.Name, pod.Namespace)}
	case st == nil || st.State.Waiting != nil:
		b.summary = fmt.Sprintf("%s: container %q is being created", name, blk.spec.Name)
		if vol := volumeRefProblems(checkRefs(ctx, d.reader, pod)); len(vol) > 0 {
			b.severity = SeverityProblem
			b.summary += ", but " + vol[0].text
		}
		b.next = []string{describe}
	default:
		nr := judgeNotReady(blk, d.reader.PodEvents(ctx, pod), now)
		b.summary = fmt.Sprintf("%s: container %q is running for %s but not Ready yet", name, blk.spec.Name, nr.running.Round(time.Second))
		if nr.unhealthy > 0 {
			b.evidence = append(b.evidence, fmt.Sprintf("%s: %s", pod.Name, nr.eventText()))
		}
		b.next = []string{describe}
		if nr.severity == SeverityProblem {
			b.severity = SeverityProblem
			b.summary = fmt.Sprintf("%s: container %q has been running for %s but is not Ready: %s",
				name, blk.spec.Name, nr.running.Round(time.Second), nr.why())
			b.next = append(b.next, fmt.Sprintf("kubectl logs %s -n %s -c %s", pod.Name, pod.Namespace, blk.spec.Name))
		}
	}
	return b
}

func hasNamedPort(pod *corev1.Pod, name string) bool {
	for _, c := range append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...) {
		for _, p := range c.Ports {
			if p.Name == name {
				return true
			}
		}
	}
	return false
}
