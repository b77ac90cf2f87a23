package diagnose

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// apiResources are the API group and resource of the kinds a wait names.
var apiResources = map[string][2]string{
	"pod": {"", "pods"}, "service": {"", "services"}, "persistentvolumeclaim": {"", "persistentvolumeclaims"},
	"job": {"batch", "jobs"}, "cronjob": {"batch", "cronjobs"},
	"deployment": {"apps", "deployments"}, "statefulset": {"apps", "statefulsets"},
	"daemonset": {"apps", "daemonsets"}, "replicaset": {"apps", "replicasets"},
}

// accessNeed is one resource a wait tool reads, and the verbs it reads it with.
type accessNeed struct {
	group, resource string
	verbs           []string
}

// accessNeeds are what the tool of dep reads: kubectl wait and rollout
// status get the object and list and watch it; kubectl get and
// k8s-wait-for get a named object and list a selector's (k8s-wait-for's
// service wait also lists the Service's pods, job-wr the Job's).
func accessNeeds(dep Dependency) []accessNeed {
	o := dep.Object
	if o == nil {
		return nil
	}
	gr, ok := apiResources[o.Kind]
	if !ok {
		return nil
	}
	read := []string{"get"}
	if o.Name == "" {
		read = []string{"list"}
	}
	tool := dep.Tool
	switch {
	case strings.HasSuffix(tool, " wait") || strings.HasSuffix(tool, " rollout status"):
		read = []string{"get", "list", "watch"}
	case strings.HasSuffix(tool, " get"):
	case strings.HasPrefix(tool, "k8s-wait-for"):
		if o.Kind == "service" || o.Kind == "job" && o.Condition == "one pod succeeded" {
			return []accessNeed{{gr[0], gr[1], read}, {"", "pods", []string{"list"}}}
		}
	default:
		return nil
	}
	return []accessNeed{{gr[0], gr[1], read}}
}

// serviceAccountOf is the ServiceAccount the pod's containers run as.
func serviceAccountOf(pod *corev1.Pod) string {
	switch {
	case pod.Spec.ServiceAccountName != "":
		return pod.Spec.ServiceAccountName
	case pod.Spec.DeprecatedServiceAccount != "":
		return pod.Spec.DeprecatedServiceAccount
	}
	return "default"
}

// checkAccess asks, for a wait on a Kubernetes object, whether the pod's
// ServiceAccount may read it with the verbs its tool uses. A refusal is the
// first thing to fix: the tool can never see the object, whatever its state.
// Not being allowed to ask is evidence, not a problem.
func (d *Diagnoser) checkAccess(ctx context.Context, pod *corev1.Pod, r DependencyReport) DependencyReport {
	needs := accessNeeds(r.Dependency)
	if len(needs) == 0 || strings.ContainsAny(r.Object.Name+r.Object.Namespace, "$…") {
		return r
	}
	sa, ns := serviceAccountOf(pod), objectNamespace(r.Object, pod)
	who := fmt.Sprintf("ServiceAccount %q of namespace %q", sa, pod.Namespace)
	var denied []string // "get jobs"
	var fix []accessNeed
	for _, n := range needs {
		var no []string
		for _, verb := range n.verbs {
			name := ""
			if verb == "get" && n.resource == apiResources[r.Object.Kind][1] {
				name = r.Object.Name
			}
			a, err := d.reader.MayServiceAccount(ctx, accessQuestion{saNamespace: pod.Namespace, sa: sa,
				verb: verb, group: n.group, resource: n.resource, name: name, namespace: ns})
			if err != nil {
				r.Evidence = append(r.Evidence, fmt.Sprintf("could not check whether %s may %s %s: %s", who, verb, n.resource, sarError(err)))
				r.accessUnknown = true
				return r
			}
			if !a.allowed {
				no = append(no, verb)
			}
		}
		if len(no) > 0 {
			denied = append(denied, strings.Join(no, ", ")+" "+n.resource)
			fix = append(fix, n)
		}
	}
	if len(denied) == 0 {
		r.Evidence = append(r.Evidence, fmt.Sprintf("%s may read it (%s)", who, needsText(needs)))
		return r
	}
	if pod.Spec.AutomountServiceAccountToken != nil && !*pod.Spec.AutomountServiceAccountToken {
		r.Evidence = append(r.Evidence, "the pod does not mount a ServiceAccount token (automountServiceAccountToken: false): the tool has no credentials at all")
	}
	r.Evidence = append([]string{"meanwhile " + r.Finding}, r.Evidence...)
	tool := r.Tool
	r.Finding = fmt.Sprintf("%s may not %s in namespace %q, so %s can never see %s: grant it %s with a Role and a RoleBinding",
		who, strings.Join(denied, " nor "), ns, tool, r.Address(), needsText(fix))
	r.OK, r.Severity, r.Cause = false, SeverityProblem, CauseForbidden
	r.Next = append(grantCommands(fix, ns, pod.Namespace, sa), r.Next...)
	return r
}

// needsText words what to grant: "get, list, watch on jobs.batch".
func needsText(needs []accessNeed) string {
	var parts []string
	for _, n := range needs {
		parts = append(parts, qualified(n))
	}
	// One Role for every wait tool: get, list and watch, whatever this one uses.
	return "get, list, watch on " + strings.Join(parts, " and ")
}

func qualified(n accessNeed) string {
	if n.group == "" {
		return n.resource
	}
	return n.resource + "." + n.group
}

// grantCommands are the kubectl commands that make the Role and RoleBinding.
func grantCommands(needs []accessNeed, ns, saNS, sa string) []string {
	var res []string
	for _, n := range needs {
		res = append(res, qualified(n))
	}
	role := "initwait-read-" + strings.Split(needs[0].resource, ".")[0]
	return []string{
		fmt.Sprintf("kubectl create role %s -n %s --verb=get,list,watch --resource=%s", role, ns, strings.Join(res, ",")),
		fmt.Sprintf("kubectl create rolebinding %s -n %s --role=%s --serviceaccount=%s:%s", role, ns, role, saNS, sa),
	}
}

// sarError words a SubjectAccessReview that could not be made.
func sarError(err error) string {
	if apierrors.IsForbidden(err) {
		return "you may not create subjectaccessreviews.authorization.k8s.io (" + oneLine(err.Error()) + ")"
	}
	return oneLine(err.Error())
}

// forbiddenProblem is the verdict of a container whose ServiceAccount may
// not read the object it waits for: whatever the object's state, the wait
// cannot end, so it comes before the object's own findings; the log's
// Forbidden lines are its evidence.
// When the access could not be asked, the log's Forbidden lines alone say so.
func forbiddenProblem(pod *corev1.Pod, cr *ContainerReport, deps []DependencyReport) (toolFinding, bool) {
	sig := cr.signals
	var logLine []string
	if sig.forbidden > 0 {
		logLine = []string{fmt.Sprintf("its log says %q (%s)", sig.forbiddenLine, times(sig.forbidden))}
	}
	for _, dr := range deps {
		if dr.Cause == CauseForbidden {
			return toolFinding{cause: CauseForbidden, verdict: cr.Name + ": " + dr.Finding, evidence: logLine}, true
		}
	}
	for _, dr := range deps {
		needs := accessNeeds(dr.Dependency)
		if !dr.accessUnknown || sig.forbidden == 0 || len(needs) == 0 {
			continue
		}
		ns := objectNamespace(dr.Object, pod)
		sa := serviceAccountOf(pod)
		return toolFinding{cause: CauseForbidden,
			verdict: fmt.Sprintf("%s: the API server refuses ServiceAccount %q of namespace %q (its log: Forbidden), so %s can never see %s: grant it %s with a Role and a RoleBinding",
				cr.Name, sa, pod.Namespace, dr.Tool, dr.Address(), needsText(needs)),
			evidence: logLine, next: grantCommands(needs, ns, pod.Namespace, sa)}, true
	}
	return toolFinding{}, false
}
