package diagnose

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Reader is everything the verdicts read from the cluster. liveReader asks
// the API server at each call (one target: a few pods, full detail); a
// snapshot lists each kind once per run and answers from memory (the scan of
// a namespace or the cluster). The verdict code knows only this interface.
type Reader interface {
	RefReader
	ObjectReader
	// PodEvents returns the events about pod, oldest first.
	PodEvents(ctx context.Context, pod *corev1.Pod) []corev1.Event
	// Service gets one Service; a missing one is a NotFound API error.
	Service(ctx context.Context, namespace, name string) (*corev1.Service, error)
	// Services lists a namespace's Services.
	Services(ctx context.Context, namespace string) ([]corev1.Service, error)
	// Namespace tells whether a namespace exists: nil, a NotFound API error, or why it could not be read.
	Namespace(ctx context.Context, name string) error
	// PodsMatching lists the pods of namespace that match a label selector.
	PodsMatching(ctx context.Context, namespace, selector string) ([]PodRow, error)
	// PodNamed lists the pod of namespace named name: none or one.
	PodNamed(ctx context.Context, namespace, name string) ([]PodRow, error)
	// EndpointSlices lists the EndpointSlices of a Service.
	EndpointSlices(ctx context.Context, namespace, service string) ([]discoveryv1.EndpointSlice, error)
	// Log summarizes one container instance's log.
	Log(ctx context.Context, pod *corev1.Pod, container string, previous bool, tail int) (logSummary, error)
}

// liveReader implements Reader with one API request per call (Secrets and
// ConfigMaps are read once each).
type liveReader struct {
	*clientRefs
	*objectCache
	client kubernetes.Interface
	pods   PodLister
}

func newLiveReader(client kubernetes.Interface, pods PodLister) *liveReader {
	return &liveReader{clientRefs: newClientRefs(client), objectCache: newObjectCache(client), client: client, pods: pods}
}

func (r *liveReader) PodEvents(ctx context.Context, pod *corev1.Pod) []corev1.Event {
	list, err := r.client.CoreV1().Events(pod.Namespace).List(ctx, metav1.ListOptions{
		FieldSelector: "involvedObject.kind=Pod,involvedObject.name=" + pod.Name,
	})
	if err != nil {
		return nil
	}
	return eventsAbout(list.Items, pod)
}

func (r *liveReader) Service(ctx context.Context, namespace, name string) (*corev1.Service, error) {
	return r.client.CoreV1().Services(namespace).Get(ctx, name, metav1.GetOptions{})
}

func (r *liveReader) Services(ctx context.Context, namespace string) ([]corev1.Service, error) {
	list, err := r.client.CoreV1().Services(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func (r *liveReader) Namespace(ctx context.Context, name string) error {
	_, err := r.client.CoreV1().Namespaces().Get(ctx, name, metav1.GetOptions{})
	return err
}

func (r *liveReader) PodsMatching(ctx context.Context, namespace, selector string) ([]PodRow, error) {
	return r.pods.ListPods(ctx, namespace, metav1.ListOptions{LabelSelector: selector})
}

func (r *liveReader) PodNamed(ctx context.Context, namespace, name string) ([]PodRow, error) {
	return r.pods.ListPods(ctx, namespace, metav1.ListOptions{FieldSelector: "metadata.name=" + name})
}

func (r *liveReader) EndpointSlices(ctx context.Context, namespace, service string) ([]discoveryv1.EndpointSlice, error) {
	list, err := r.client.DiscoveryV1().EndpointSlices(namespace).List(ctx, metav1.ListOptions{
		LabelSelector: discoveryv1.LabelServiceName + "=" + service,
	})
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}

func (r *liveReader) Log(ctx context.Context, pod *corev1.Pod, container string, previous bool, tail int) (logSummary, error) {
	return readLog(ctx, r.client, pod.Namespace, pod.Name, container, previous, tail)
}
