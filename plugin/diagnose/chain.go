package diagnose

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
)

// serviceRef is a host name read as a cluster Service.
type serviceRef struct {
	name, namespace string
	// hostname is set for pod DNS names (pod-0.svc.ns.svc…): the endpoint's hostname.
	hostname string
}

// checkDependency follows dep through the cluster: Service, selector,
// EndpointSlices, backing pods. ns and pod are where the probe runs.
func (d *Diagnoser) checkDependency(ctx context.Context, pod *corev1.Pod, dep Dependency) DependencyReport {
	r := DependencyReport{Dependency: dep}
	ns := pod.Namespace
	host := dep.Host
	switch {
	case len(dep.Unresolved) > 0 && strings.Contains(dep.Host, "$"):
		finding := fmt.Sprintf("its host %s could not be read: %s", dep.Host, strings.Join(dep.Unresolved, "; "))
		if dep.missing {
			cause := CauseMissingSecret
			if strings.Contains(strings.Join(dep.Unresolved, " "), "ConfigMap") {
				cause = CauseMissingConfig
			}
			return r.problem(cause, finding)
		}
		return r.unknown(finding + ": not followed")
	case strings.ContainsAny(host, "$()`…"):
		return r.unknown(fmt.Sprintf("host %s is only known when the container runs (a command substitution or variable): not followed", host))
	case host == "local socket":
		return r.problem(CauseLocalhost, dep.Tool+" has no -h host: it probes the local Unix socket, and no database runs in this container")
	case host == "localhost" || host == "127.0.0.1" || host == "::1":
		return r.problem(CauseLocalhost, fmt.Sprintf("it probes %s, which only a container of this pod can serve: did you mean the database Service's name?", dep.Address()))
	case dep.Port == 0 && dep.Kind != "dns":
		r.Evidence = append(r.Evidence, "the port could not be read: "+strings.Join(dep.Unresolved, "; "))
	}
	var ref serviceRef
	if ip := net.ParseIP(host); ip != nil {
		svc, err := d.serviceByIP(ctx, ns, host)
		if err != nil || svc == "" {
			return r.unknown(fmt.Sprintf("%s is an IP address, not a Service of namespace %q: not followed", host, ns))
		}
		r.Evidence = append(r.Evidence, fmt.Sprintf("%s is the cluster IP of Service %q", host, svc))
		ref = serviceRef{name: svc, namespace: ns}
	} else {
		var ok bool
		if ref, ok = d.parseServiceHost(ctx, host, ns); !ok {
			return r.unknown(fmt.Sprintf("%s is not a cluster Service name (external DNS): not followed", host))
		}
	}
	return d.followService(ctx, r, ref)
}

// parseServiceHost reads svc, svc.ns, svc.ns.svc, svc.ns.svc.DOMAIN and
// pod.svc.ns.svc.DOMAIN; a two-label name whose second label is no
// namespace is tried as pod.svc (a StatefulSet pod) in ns.
func (d *Diagnoser) parseServiceHost(ctx context.Context, host, ns string) (serviceRef, bool) {
	l := strings.Split(strings.TrimSuffix(host, "."), ".")
	switch {
	case len(l) == 1:
		return serviceRef{name: l[0], namespace: ns}, true
	case len(l) >= 4 && l[3] == "svc":
		return serviceRef{hostname: l[0], name: l[1], namespace: l[2]}, true
	case len(l) >= 3 && l[2] == "svc":
		return serviceRef{name: l[0], namespace: l[1]}, true
	case len(l) == 2:
		err := d.reader.Namespace(ctx, l[1])
		if err == nil || !apierrors.IsNotFound(err) {
			return serviceRef{name: l[0], namespace: l[1]}, true
		}
		if _, err := d.reader.Service(ctx, ns, l[1]); err == nil {
			return serviceRef{hostname: l[0], name: l[1], namespace: ns}, true
		}
	}
	return serviceRef{}, false
}

func (d *Diagnoser) serviceByIP(ctx context.Context, ns, ip string) (string, error) {
	list, err := d.reader.Services(ctx, ns)
	if err != nil {
		return "", err
	}
	for _, s := range list {
		for _, cip := range append([]string{s.Spec.ClusterIP}, s.Spec.ClusterIPs...) {
			if cip == ip {
				return s.Name, nil
			}
		}
	}
	return "", nil
}

// followService checks the Service, its port, selector and EndpointSlices.
func (d *Diagnoser) followService(ctx context.Context, r DependencyReport, ref serviceRef) DependencyReport {
	svc, err := d.reader.Service(ctx, ref.namespace, ref.name)
	switch {
	case apierrors.IsNotFound(err):
		r.Next = append(r.Next, "kubectl get svc -n "+ref.namespace)
		if names := d.serviceNames(ctx, ref.namespace); names != "" {
			r.Evidence = append(r.Evidence, fmt.Sprintf("Services in namespace %q: %s", ref.namespace, names))
		} else {
			r.Evidence = append(r.Evidence, fmt.Sprintf("namespace %q has no Services", ref.namespace))
		}
		return r.problem(CauseMissingService, fmt.Sprintf("Service %q does not exist in namespace %q", ref.name, ref.namespace))
	case err != nil:
		return r.unknown(fmt.Sprintf("cannot read Service %q in namespace %q: %s", ref.name, ref.namespace, oneLine(err.Error())))
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return r.unknown(fmt.Sprintf("Service %q is an ExternalName for %s: not followed", ref.name, svc.Spec.ExternalName))
	}
	svcPort, ok := matchServicePort(svc, r.Port)
	if !ok {
		r.Next = append(r.Next, fmt.Sprintf("kubectl get svc %s -n %s -o yaml", ref.name, ref.namespace))
		return r.problem(CauseServicePort, fmt.Sprintf("Service %q has no port %d (it has %s)", ref.name, r.Port, servicePorts(svc)))
	}
	var selected []PodRow
	if len(svc.Spec.Selector) == 0 {
		r.Evidence = append(r.Evidence, fmt.Sprintf("Service %q has no selector: its endpoints are managed by hand", ref.name))
	} else {
		sel := labels.SelectorFromSet(svc.Spec.Selector).String()
		selected, err = d.reader.PodsMatching(ctx, ref.namespace, sel)
		if err != nil {
			return r.unknown(fmt.Sprintf("cannot list the pods of Service %q: %s", ref.name, oneLine(err.Error())))
		}
		if len(selected) == 0 {
			r.Next = append(r.Next, fmt.Sprintf("kubectl get pods -n %s --show-labels", ref.namespace))
			return r.problem(CauseNoBackingPods, fmt.Sprintf("Service %q selects %s, which matches no pods in namespace %q", ref.name, sel, ref.namespace))
		}
		r.Evidence = append(r.Evidence, fmt.Sprintf("Service %q selects %s: %s", ref.name, sel, podList(selected)))
	}
	ready, notReady, err := d.readyEndpoints(ctx, ref, svcPort)
	if err != nil {
		return r.unknown(fmt.Sprintf("cannot list the EndpointSlices of Service %q: %s", ref.name, oneLine(err.Error())))
	}
	where := portText(svcPort, r.Port)
	if r.Kind == "dns" && svc.Spec.ClusterIP != corev1.ClusterIPNone && ref.hostname == "" {
		r.OK, r.Severity = true, SeverityOK
		r.Finding = fmt.Sprintf("Service %q exists (cluster IP %s), so the name resolves", ref.name, svc.Spec.ClusterIP)
		return r
	}
	if len(ready) > 0 {
		r.OK, r.Severity = true, SeverityOK
		r.Finding = fmt.Sprintf("Service %q has %d ready endpoint(s) on %s (%s)", ref.name, len(ready), where, strings.Join(ready, ", "))
		return r
	}
	if len(notReady) > 0 {
		r.Evidence = append(r.Evidence, "endpoints not ready: "+strings.Join(notReady, ", "))
	}
	finding := fmt.Sprintf("Service %q has no ready endpoints on %s", ref.name, where)
	if len(selected) == 0 {
		return r.problem(CauseDependency, finding)
	}
	sev, why := SeverityProgressing, []string{}
	for i, row := range selected {
		if i == 3 {
			why = append(why, fmt.Sprintf("and %d more", len(selected)-3))
			break
		}
		b := d.backingPodState(ctx, row, svcPort)
		why = append(why, b.summary)
		r.Evidence = append(r.Evidence, b.evidence...)
		r.Next = append(r.Next, b.next...)
		if b.severity == SeverityProblem {
			sev = SeverityProblem
		}
	}
	r.Finding = finding + ": " + strings.Join(why, "; ")
	r.Severity, r.Cause = sev, CauseDependency
	return r
}

func (r DependencyReport) problem(cause Cause, finding string) DependencyReport {
	r.Finding, r.Severity, r.Cause = finding, SeverityProblem, cause
	return r
}

// unknown is a finding that diagnose cannot follow further: not proof of a problem.
func (r DependencyReport) unknown(finding string) DependencyReport {
	r.Finding, r.Severity = finding, SeverityProgressing
	return r
}

// matchServicePort finds the Service port a client reaches on port p: the
// port itself, or for a headless Service also the target port. p 0 (DNS) matches the first.
func matchServicePort(svc *corev1.Service, p int) (corev1.ServicePort, bool) {
	if len(svc.Spec.Ports) == 0 {
		return corev1.ServicePort{}, p == 0 || svc.Spec.ClusterIP == corev1.ClusterIPNone
	}
	if p == 0 {
		return svc.Spec.Ports[0], true
	}
	for _, sp := range svc.Spec.Ports {
		if int(sp.Port) == p {
			return sp, true
		}
	}
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		for _, sp := range svc.Spec.Ports {
			if sp.TargetPort.IntValue() == p {
				return sp, true
			}
		}
	}
	return corev1.ServicePort{}, false
}

func servicePorts(svc *corev1.Service) string {
	if len(svc.Spec.Ports) == 0 {
		return "no ports"
	}
	var ps []string
	for _, sp := range svc.Spec.Ports {
		ps = append(ps, fmt.Sprintf("%d/%s", sp.Port, sp.Protocol))
	}
	return "ports " + strings.Join(ps, ", ")
}

func portText(sp corev1.ServicePort, p int) string {
	switch {
	case p == 0 && sp.Port == 0:
		return "any port"
	case sp.Name != "":
		return fmt.Sprintf("port %d (%q → target %s)", sp.Port, sp.Name, sp.TargetPort.String())
	case p == 0:
		return fmt.Sprintf("port %d", sp.Port)
	}
	return fmt.Sprintf("port %d (target %s)", p, sp.TargetPort.String())
}

// readyEndpoints lists the endpoints of ref's EndpointSlices that serve sp,
// as "pod (ip)" strings, split by readiness.
func (d *Diagnoser) readyEndpoints(ctx context.Context, ref serviceRef, sp corev1.ServicePort) (ready, notReady []string, err error) {
	list, err := d.reader.EndpointSlices(ctx, ref.namespace, ref.name)
	if err != nil {
		return nil, nil, err
	}
	for _, slice := range list {
		if slice.Labels[discoveryv1.LabelServiceName] != ref.name || !slicePortMatches(slice, sp) {
			continue
		}
		for _, ep := range slice.Endpoints {
			if ref.hostname != "" && (ep.Hostname == nil || *ep.Hostname != ref.hostname) {
				continue
			}
			name := strings.Join(ep.Addresses, ",")
			if ep.TargetRef != nil {
				name = ep.TargetRef.Name + " (" + name + ")"
			}
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				ready = append(ready, name)
			} else {
				notReady = append(notReady, name)
			}
		}
	}
	return ready, notReady, nil
}

// slicePortMatches tells whether a slice carries the Service port sp (by name, as the controller writes them).
func slicePortMatches(slice discoveryv1.EndpointSlice, sp corev1.ServicePort) bool {
	if len(slice.Ports) == 0 {
		return true
	}
	for _, p := range slice.Ports {
		if p.Name == nil && sp.Name == "" || p.Name != nil && *p.Name == sp.Name {
			return true
		}
	}
	return false
}

func (d *Diagnoser) serviceNames(ctx context.Context, ns string) string {
	list, err := d.reader.Services(ctx, ns)
	if err != nil || len(list) == 0 {
		return ""
	}
	var names []string
	for _, s := range list {
		names = append(names, s.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func podList(rows []PodRow) string {
	var parts []string
	for _, r := range rows {
		parts = append(parts, fmt.Sprintf("%s (%s)", r.Pod.Name, r.Status))
	}
	return strings.Join(parts, ", ")
}
