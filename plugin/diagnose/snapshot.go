package diagnose

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
)

// DefaultScanLogs is how many container logs a scan reads when MaxLogs is 0.
const DefaultScanLogs = 8

// errMetadataOnly is what a snapshot answers for the data of a Secret or
// ConfigMap that exists: it listed only their metadata.
var errMetadataOnly = errors.New("the scan reads only the names of Secrets and ConfigMaps (diagnose the pod itself for their keys and values)")

// errLogBudget is the answer for a log beyond the scan's budget.
type errLogBudget int

func (e errLogBudget) Error() string {
	return fmt.Sprintf("the scan reads at most %d logs (--max-logs)", int(e))
}

// snapshot implements Reader for a scan: each kind is listed once per run
// (once per namespace it is asked about, or once for the whole cluster with
// all) and every answer comes from memory. Secrets and ConfigMaps are
// listed as metadata only, and only when a pod refers to one. Logs are read
// for at most maxLogs containers, one per workload and container: the other
// pods of that workload share its summary.
type snapshot struct {
	*objectCache
	client  kubernetes.Interface
	pods    PodLister
	meta    metadata.Interface
	all     bool
	maxLogs int

	rows       listing[PodRow]
	services   listing[corev1.Service]
	slices     listing[discoveryv1.EndpointSlice]
	events     listing[corev1.Event]
	secrets    listing[metav1.PartialObjectMetadata]
	configMaps listing[metav1.PartialObjectMetadata]
	namespaces listing[corev1.Namespace]

	logs map[string]loggedSummary
	// scripts are the ConfigMaps read in full because a script is run from them.
	scripts map[string]cached[map[string]string]
	// logReads counts log requests made; logsSkipped those refused by the budget.
	logReads, logsSkipped int
}

type loggedSummary struct {
	summary logSummary
	pod     string
	err     error
}

func newSnapshot(client kubernetes.Interface, pods PodLister, meta metadata.Interface, all bool, maxLogs int) *snapshot {
	return &snapshot{objectCache: newObjectCache(client), client: client, pods: pods, meta: meta, all: all, maxLogs: maxLogs, logs: map[string]loggedSummary{},
		scripts: map[string]cached[map[string]string]{}}
}

// listing holds one kind's objects by namespace, and which lists were made
// (a namespace, or "" for all of them).
type listing[T any] struct {
	byNS   map[string][]T
	listed map[string]error
}

// in returns namespace ns's objects, listing them first if no list made so
// far covers ns: the whole cluster when all, else ns.
func (l *listing[T]) in(ctx context.Context, ns string, all bool, list func(ctx context.Context, ns string) ([]T, error), nsOf func(*T) string) ([]T, error) {
	if l.listed == nil {
		l.byNS, l.listed = map[string][]T{}, map[string]error{}
	}
	if err, ok := l.listed[""]; ok {
		return l.byNS[ns], err
	}
	if err, ok := l.listed[ns]; ok {
		return l.byNS[ns], err
	}
	key := ns
	if all {
		key = ""
	}
	items, err := list(ctx, key)
	l.listed[key] = err
	for i := range items {
		n := nsOf(&items[i])
		l.byNS[n] = append(l.byNS[n], items[i])
	}
	return l.byNS[ns], err
}

func (s *snapshot) podRows(ctx context.Context, ns string) ([]PodRow, error) {
	return s.rows.in(ctx, ns, s.all, func(ctx context.Context, ns string) ([]PodRow, error) {
		return s.pods.ListPods(ctx, ns, metav1.ListOptions{})
	}, func(r *PodRow) string { return r.Pod.Namespace })
}

// allPodRows lists every namespace's pods (for a scan with all).
func (s *snapshot) allPodRows(ctx context.Context) ([]PodRow, error) {
	if _, err := s.podRows(ctx, ""); err != nil {
		return nil, err
	}
	var out []PodRow
	for _, rows := range s.rows.byNS {
		out = append(out, rows...)
	}
	return out, nil
}

func (s *snapshot) PodEvents(ctx context.Context, pod *corev1.Pod) []corev1.Event {
	items, err := s.events.in(ctx, pod.Namespace, s.all, func(ctx context.Context, ns string) ([]corev1.Event, error) {
		list, err := s.client.CoreV1().Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.kind=Pod"})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	}, func(e *corev1.Event) string { return e.Namespace })
	if err != nil {
		return nil
	}
	return eventsAbout(items, pod)
}

func (s *snapshot) Services(ctx context.Context, ns string) ([]corev1.Service, error) {
	return s.services.in(ctx, ns, s.all, func(ctx context.Context, ns string) ([]corev1.Service, error) {
		list, err := s.client.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	}, func(o *corev1.Service) string { return o.Namespace })
}

func (s *snapshot) Service(ctx context.Context, ns, name string) (*corev1.Service, error) {
	items, err := s.Services(ctx, ns)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].Name == name {
			return &items[i], nil
		}
	}
	return nil, apierrors.NewNotFound(corev1.Resource("services"), name)
}

func (s *snapshot) Namespace(ctx context.Context, name string) error {
	items, err := s.namespaces.in(ctx, "", true, func(ctx context.Context, _ string) ([]corev1.Namespace, error) {
		list, err := s.client.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	}, func(*corev1.Namespace) string { return "" })
	if err != nil {
		return err
	}
	for _, n := range items {
		if n.Name == name {
			return nil
		}
	}
	return apierrors.NewNotFound(corev1.Resource("namespaces"), name)
}

func (s *snapshot) PodsMatching(ctx context.Context, ns, selector string) ([]PodRow, error) {
	sel, err := labels.Parse(selector)
	if err != nil {
		return nil, err
	}
	rows, err := s.podRows(ctx, ns)
	if err != nil {
		return nil, err
	}
	var out []PodRow
	for _, r := range rows {
		if sel.Matches(labels.Set(r.Pod.Labels)) {
			out = append(out, r)
		}
	}
	return out, nil
}

func (s *snapshot) PodNamed(ctx context.Context, ns, name string) ([]PodRow, error) {
	rows, err := s.podRows(ctx, ns)
	for _, r := range rows {
		if r.Pod.Name == name {
			return []PodRow{r}, err
		}
	}
	return nil, err
}

func (s *snapshot) EndpointSlices(ctx context.Context, ns, service string) ([]discoveryv1.EndpointSlice, error) {
	items, err := s.slices.in(ctx, ns, s.all, func(ctx context.Context, ns string) ([]discoveryv1.EndpointSlice, error) {
		list, err := s.client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	}, func(o *discoveryv1.EndpointSlice) string { return o.Namespace })
	if err != nil {
		return nil, err
	}
	var out []discoveryv1.EndpointSlice
	for _, sl := range items {
		if sl.Labels[discoveryv1.LabelServiceName] == service {
			out = append(out, sl)
		}
	}
	return out, nil
}

// SecretData implements RefReader from metadata: a missing Secret is
// NotFound, an existing one errMetadataOnly.
func (s *snapshot) SecretData(ctx context.Context, ns, name string) (map[string][]byte, error) {
	return nil, s.named(ctx, &s.secrets, "secrets", ns, name)
}

// ConfigMapData implements RefReader like SecretData.
func (s *snapshot) ConfigMapData(ctx context.Context, ns, name string) (map[string]string, error) {
	return nil, s.named(ctx, &s.configMaps, "configmaps", ns, name)
}

// ScriptConfigMap implements scriptReader: a ConfigMap that exists is
// read in full, once per run, because a container runs a script from it.
func (s *snapshot) ScriptConfigMap(ctx context.Context, ns, name string) (map[string]string, error) {
	if err := s.named(ctx, &s.configMaps, "configmaps", ns, name); !errors.Is(err, errMetadataOnly) {
		return nil, err
	}
	key := ns + "/" + name
	if got, ok := s.scripts[key]; ok {
		return got.v, got.err
	}
	s.requests++
	var data map[string]string
	cm, err := s.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		data = cm.Data
	}
	s.scripts[key] = cached[map[string]string]{data, err}
	return data, err
}

func (s *snapshot) named(ctx context.Context, l *listing[metav1.PartialObjectMetadata], resource, ns, name string) error {
	if s.meta == nil {
		return errNoReader
	}
	items, err := l.in(ctx, ns, s.all, func(ctx context.Context, ns string) ([]metav1.PartialObjectMetadata, error) {
		list, err := s.meta.Resource(corev1.SchemeGroupVersion.WithResource(resource)).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return nil, err
		}
		return list.Items, nil
	}, func(o *metav1.PartialObjectMetadata) string { return o.Namespace })
	if err != nil {
		return err
	}
	for _, o := range items {
		if o.Name == name {
			return errMetadataOnly
		}
	}
	return apierrors.NewNotFound(corev1.Resource(resource), name)
}

// Log reads one log per workload (the pod's controller, else the pod) and
// container, within the budget; the other pods of the workload get its summary.
func (s *snapshot) Log(ctx context.Context, pod *corev1.Pod, container string, previous bool, tail int) (logSummary, error) {
	owner := "pod/" + pod.Name
	if c := metav1.GetControllerOf(pod); c != nil {
		owner = string(c.UID)
	}
	key := fmt.Sprintf("%s/%s/%s/%t", pod.Namespace, owner, container, previous)
	if got, ok := s.logs[key]; ok {
		if got.pod != pod.Name {
			got.summary.from = got.pod
		}
		return got.summary, got.err
	}
	if s.logReads >= s.maxLogs {
		s.logsSkipped++
		return logSummary{}, errLogBudget(s.maxLogs)
	}
	s.logReads++
	sum, err := readLog(ctx, s.client, pod.Namespace, pod.Name, container, previous, tail)
	s.logs[key] = loggedSummary{summary: sum, pod: pod.Name, err: err}
	return sum, err
}
