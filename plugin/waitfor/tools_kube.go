package waitfor

import "strings"

// The extractors below read waits on Kubernetes objects: groundnuty's
// k8s-wait-for, k8s-wait-for-multi, and kubectl wait / rollout status.

// resourceKinds maps kubectl's names and short names to a kind.
var resourceKinds = map[string]string{
	"po": "pod", "pod": "pod", "pods": "pod",
	"job": "job", "jobs": "job",
	"svc": "service", "service": "service", "services": "service",
	"deploy": "deployment", "deployment": "deployment", "deployments": "deployment",
	"sts": "statefulset", "statefulset": "statefulset", "statefulsets": "statefulset",
	"ds": "daemonset", "daemonset": "daemonset", "daemonsets": "daemonset",
	"rs": "replicaset", "replicaset": "replicaset", "replicasets": "replicaset",
	"pvc": "persistentvolumeclaim", "persistentvolumeclaim": "persistentvolumeclaim",
	"cronjob": "cronjob", "cj": "cronjob", "cronjobs": "cronjob",
}

// kindOf reads a resource type (deploy, deployment.apps, Deployment); an
// unknown type is kept in lower case.
func kindOf(s string) string {
	s = strings.ToLower(s)
	base, _, _ := strings.Cut(s, ".")
	if k, ok := resourceKinds[base]; ok {
		return k
	}
	return s
}

func objectDep(tool string, o Object) Dependency {
	return Dependency{Kind: KindObject, Tool: tool, Object: &o}
}

// k8sWaitForDeps reads `wait_for.sh pod|job|service[-we|-wr] NAME|-lSELECTOR [-n NS]`.
func k8sWaitForDeps(c call) []Dependency {
	pos := c.opts.positional
	if len(pos) == 0 {
		return nil
	}
	kind, mode, _ := strings.Cut(pos[0], "-")
	o := Object{Kind: kindOf(kind)}
	o.Namespace, _ = c.opts.last("n")
	switch o.Kind {
	case "job":
		o.Condition = "complete"
		if mode == "wr" {
			o.Condition = "one pod succeeded"
		}
	case "pod", "service":
		o.Condition = "ready"
	default:
		return nil
	}
	if mode == "we" {
		o.Condition += " or failed"
	}
	if sel, ok := c.opts.last("l"); ok {
		o.Selector = sel
	} else if len(pos) > 1 {
		o.Name = pos[1]
	} else {
		return nil
	}
	return []Dependency{objectDep("k8s-wait-for", o)}
}

// k8sWaitForMultiDeps reads `k8s-wait-for-multi [-n NS] [ns,]kind,name | name ...`.
func k8sWaitForMultiDeps(c call) []Dependency {
	ns, _ := c.opts.last("namespace", "n")
	var deps []Dependency
	for _, a := range c.opts.positional {
		f := strings.Split(a, ",")
		o := Object{Kind: "pod", Namespace: ns}
		switch len(f) {
		case 1:
			o.Name = f[0]
		case 2:
			o.Kind, o.Name = kindOf(f[0]), f[1]
		default:
			o.Namespace, o.Kind, o.Name = f[0], kindOf(f[1]), f[2]
		}
		o.Condition = map[string]string{"job": "complete"}[o.Kind]
		if o.Condition == "" {
			o.Condition = "ready"
		}
		deps = append(deps, objectDep(c.tool, o))
	}
	return deps
}

// kubectlDeps reads `kubectl wait --for=X TYPE/NAME | TYPE NAME.. | TYPE -l SEL`,
// `kubectl rollout status TYPE/NAME | TYPE NAME` and `kubectl get TYPE NAME`.
func kubectlDeps(c call) []Dependency {
	pos := c.opts.positional
	var tool, condition string
	switch {
	case len(pos) > 0 && pos[0] == "wait":
		tool, pos = c.tool+" wait", pos[1:]
		condition, _ = c.opts.last("for")
	case len(pos) > 1 && pos[0] == "rollout" && pos[1] == "status":
		tool, pos, condition = c.tool+" rollout status", pos[2:], "rollout"
	case len(pos) > 1 && pos[0] == "get":
		// In a loop (see walker.add): until it exists, or, when its output
		// is examined (-o jsonpath, json ...), until it is done.
		tool, pos, condition = c.tool+" get", pos[1:], ConditionExists
		if out, ok := c.opts.last("output", "o"); ok && out != "name" && out != "wide" {
			condition = ""
		}
	default:
		return nil
	}
	ns, _ := c.opts.last("namespace", "n")
	sel, _ := c.opts.last("selector", "l")
	var deps []Dependency
	add := func(kind, name string) {
		deps = append(deps, objectDep(tool, Object{Kind: kindOf(kind), Name: name, Selector: sel, Namespace: ns, Condition: condition}))
	}
	switch {
	case len(pos) == 0:
	case strings.Contains(pos[0], "/"):
		for _, p := range pos {
			if kind, name, ok := strings.Cut(p, "/"); ok {
				add(kind, name)
			}
		}
	case len(pos) == 1:
		add(pos[0], "")
	default:
		for _, name := range pos[1:] {
			add(pos[0], name)
		}
	}
	return deps
}
