package diagnose

import (
	"context"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/waitfor"
)

// kindTitles are the kinds diagnose follows, as the API spells them.
var kindTitles = map[string]string{"job": "Job", "deployment": "Deployment", "statefulset": "StatefulSet",
	"daemonset": "DaemonSet", "pod": "Pod", "service": "Service"}

// checkObject follows a wait on a Kubernetes object (does it exist, is it
// done, what do its pods do) and then asks whether the pod's
// ServiceAccount may read it at all.
func (d *Diagnoser) checkObject(ctx context.Context, pod *corev1.Pod, dep Dependency) DependencyReport {
	r := d.followObject(ctx, pod, dep)
	return d.checkAccess(ctx, pod, r)
}

func (d *Diagnoser) followObject(ctx context.Context, pod *corev1.Pod, dep Dependency) DependencyReport {
	o := dep.Object
	r := DependencyReport{Dependency: dep, Next: []string{objectNext(o, pod.Namespace)}}
	ns := objectNamespace(o, pod)
	title := kindTitles[o.Kind]
	switch {
	case strings.ContainsAny(o.Name+o.Selector+o.Namespace, "$…"):
		return r.unknown(fmt.Sprintf("it waits for %s, which is only known when the container runs: not followed", dep.Address()))
	case title == "":
		return r.unknown(objectFinding(dep))
	case o.Kind == "service" && o.Name == "":
		return r.unknown(objectFinding(dep))
	case o.Kind == "service" && o.Condition != waitfor.ConditionExists:
		return d.followService(ctx, r, serviceRef{name: o.Name, namespace: ns})
	case o.Kind == "service":
		if _, err := d.reader.Service(ctx, ns, o.Name); err != nil {
			return d.followService(ctx, r, serviceRef{name: o.Name, namespace: ns}) // its words for missing or unreadable
		}
		r.OK, r.Severity, r.Finding = true, SeverityOK, fmt.Sprintf("Service %q exists", o.Name)
		return r
	}
	what := fmt.Sprintf("%s %q", title, o.Name)
	if o.Name == "" {
		what = fmt.Sprintf("%s -l %s", title, o.Selector)
	}
	var found []runtime.Object
	var err error
	if o.Kind == "pod" {
		found, err = d.podObjects(ctx, ns, o)
	} else {
		found, err = d.reader.Workloads(ctx, o.Kind, ns, o.Name, o.Selector)
	}
	deleting := strings.HasPrefix(o.Condition, "delete")
	switch {
	case err != nil:
		return r.unknown(fmt.Sprintf("cannot read %s in namespace %q: %s", what, ns, oneLine(err.Error())))
	case len(found) == 0 && deleting:
		r.OK, r.Severity, r.Finding = true, SeverityOK, fmt.Sprintf("%s is gone from namespace %q", what, ns)
		return r
	case len(found) == 0 && o.Name != "":
		return r.problem(CauseMissingObject, fmt.Sprintf("%s does not exist in namespace %q", what, ns))
	case len(found) == 0:
		return r.problem(CauseMissingObject, fmt.Sprintf("no %s in namespace %q matches %s", title, ns, o.Selector))
	case deleting:
		return r.unknown(fmt.Sprintf("%s still exists in namespace %q", what, ns))
	case o.Condition == waitfor.ConditionExists:
		r.OK, r.Severity, r.Finding = true, SeverityOK, fmt.Sprintf("%s exists in namespace %q", what, ns)
		return r
	}
	var states []objectState
	for _, obj := range found {
		states = append(states, stateOf(obj, o.Condition))
	}
	return d.judgeObjects(ctx, r, ns, states)
}

// judgeObjects words the states of the objects waited on: all done is OK,
// one that can never get there a problem, the rest progressing with what
// their pods do (a pod stuck for good makes it a problem).
func (d *Diagnoser) judgeObjects(ctx context.Context, r DependencyReport, ns string, states []objectState) DependencyReport {
	var pending, texts []string
	for _, s := range states {
		texts = append(texts, s.text)
		if s.never {
			r.Next = append(r.Next, s.next...)
			return r.problem(CauseDependency, s.text)
		}
		if !s.done {
			pending = append(pending, s.text)
		}
	}
	if len(pending) == 0 {
		r.OK, r.Severity, r.Finding = true, SeverityOK, strings.Join(texts, "; ")
		return r
	}
	r.Severity, r.Cause, r.Finding = SeverityProgressing, CauseDependency, strings.Join(pending, "; ")
	for _, s := range states {
		if s.done || s.pods == nil && s.selector == "" {
			continue
		}
		rows := s.pods
		if s.selector != "" {
			var err error
			if rows, err = d.reader.PodsMatching(ctx, ns, s.selector); err != nil {
				r.Evidence = append(r.Evidence, fmt.Sprintf("cannot list its pods: %s", oneLine(err.Error())))
				continue
			}
		}
		d.podsEvidence(ctx, &r, rows)
	}
	return r
}

// podsEvidence adds what the not-ready pods (at most 3) of an object do;
// one that cannot get on without a change makes r a problem.
func (d *Diagnoser) podsEvidence(ctx context.Context, r *DependencyReport, rows []PodRow) {
	shown := 0
	for _, row := range rows {
		if podReady(row.Pod) || row.Pod.Status.Phase == corev1.PodSucceeded || row.Pod.Status.Phase == corev1.PodFailed {
			continue
		}
		if shown++; shown > 3 {
			r.Evidence = append(r.Evidence, "and more pods not Ready")
			return
		}
		b := d.backingPodState(ctx, row, corev1.ServicePort{})
		r.Evidence = append(r.Evidence, b.summary)
		r.Evidence = append(r.Evidence, b.evidence...)
		r.Next = append(r.Next, b.next...)
		if b.severity == SeverityProblem {
			r.Severity = SeverityProblem
			r.Finding += ": " + b.summary
		}
	}
}

// podObjects reads the pods a pod wait names (by name or selector).
func (d *Diagnoser) podObjects(ctx context.Context, ns string, o *waitfor.Object) ([]runtime.Object, error) {
	var rows []PodRow
	var err error
	if o.Name != "" {
		rows, err = d.reader.PodNamed(ctx, ns, o.Name)
	} else {
		rows, err = d.reader.PodsMatching(ctx, ns, o.Selector)
	}
	out := make([]runtime.Object, 0, len(rows))
	for _, r := range rows {
		out = append(out, &podRowObject{row: r})
	}
	return out, err
}

// podRowObject carries a PodRow (pod and STATUS) through the object path.
type podRowObject struct {
	runtime.Object
	row PodRow
}

func objectNamespace(o *waitfor.Object, pod *corev1.Pod) string {
	if o.Namespace != "" {
		return o.Namespace
	}
	return pod.Namespace
}

// objectState is where one object waited on stands.
type objectState struct {
	// done: the wait is over for it; never: it cannot get there without a change.
	done, never bool
	text        string
	// selector chooses its pods, to say what they do while it is not done;
	// pods are the pods themselves for a pod wait.
	selector string
	pods     []PodRow
	next     []string
}

// stateOf judges one object against the condition waited for.
func stateOf(obj runtime.Object, condition string) objectState {
	switch o := obj.(type) {
	case *batchv1.Job:
		return jobState(o, condition)
	case *appsv1.Deployment:
		want := replicas(o.Spec.Replicas)
		s := objectState{selector: selectorText(o.Spec.Selector),
			text: fmt.Sprintf("Deployment %q has %d of %d replica(s) available (%d updated)", o.Name, o.Status.AvailableReplicas, want, o.Status.UpdatedReplicas)}
		s.done = o.Status.ObservedGeneration >= o.Generation && o.Status.AvailableReplicas >= want && o.Status.UpdatedReplicas >= want
		for _, c := range o.Status.Conditions {
			if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
				s.never, s.text = true, fmt.Sprintf("Deployment %q exceeded its progress deadline: %s", o.Name, oneLine(c.Message))
			}
		}
		return s
	case *appsv1.StatefulSet:
		want := replicas(o.Spec.Replicas)
		return objectState{done: o.Status.ReadyReplicas >= want && o.Status.ObservedGeneration >= o.Generation,
			selector: selectorText(o.Spec.Selector),
			text:     fmt.Sprintf("StatefulSet %q has %d of %d replica(s) ready", o.Name, o.Status.ReadyReplicas, want)}
	case *appsv1.DaemonSet:
		st := o.Status
		return objectState{done: st.NumberReady >= st.DesiredNumberScheduled && st.ObservedGeneration >= o.Generation,
			selector: selectorText(o.Spec.Selector),
			text:     fmt.Sprintf("DaemonSet %q has %d of %d pod(s) ready", o.Name, st.NumberReady, st.DesiredNumberScheduled)}
	case *podRowObject:
		p := o.row.Pod
		if podReady(p) {
			return objectState{done: true, text: fmt.Sprintf("pod %s is Ready", p.Name)}
		}
		return objectState{text: fmt.Sprintf("pod %s is %s, not Ready", p.Name, o.row.Status), pods: []PodRow{o.row}}
	}
	return objectState{text: fmt.Sprintf("%T is not followed", obj)}
}

func jobState(j *batchv1.Job, condition string) objectState {
	s := objectState{selector: selectorText(j.Spec.Selector)}
	counts := fmt.Sprintf("%d active, %d succeeded, %d failed pod(s)", j.Status.Active, j.Status.Succeeded, j.Status.Failed)
	wantsFailed := strings.Contains(condition, "failed")
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			s.done, s.text = condition != "condition=failed", fmt.Sprintf("Job %q completed (%d succeeded)", j.Name, j.Status.Succeeded)
			if !s.done {
				s.never = true
			}
			return s
		case batchv1.JobFailed:
			s.text = fmt.Sprintf("Job %q failed (%s: %s, %s)", j.Name, c.Reason, oneLine(c.Message), counts)
			s.done = wantsFailed
			if !s.done {
				s.never = true
				s.text += ", so it can never complete: delete and re-create it once its cause is fixed"
				s.next = []string{fmt.Sprintf("kubectl logs job/%s -n %s", j.Name, j.Namespace)}
			}
			return s
		}
	}
	switch {
	case condition == "one pod succeeded" && j.Status.Succeeded > 0:
		s.done, s.text = true, fmt.Sprintf("Job %q has a pod that succeeded", j.Name)
	case j.Spec.Suspend != nil && *j.Spec.Suspend:
		s.never, s.text = true, fmt.Sprintf("Job %q is suspended (spec.suspend): it runs no pod until resumed", j.Name)
	default:
		s.text = fmt.Sprintf("Job %q has not completed yet: %s", j.Name, counts)
	}
	return s
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

func selectorText(sel *metav1.LabelSelector) string {
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil || sel == nil {
		return ""
	}
	return s.String()
}
