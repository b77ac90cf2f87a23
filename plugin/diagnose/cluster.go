package diagnose

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// clientRefs reads Secrets and ConfigMaps through a clientset, once each.
type clientRefs struct {
	client     kubernetes.Interface
	secrets    map[string]refResult[map[string][]byte]
	configMaps map[string]refResult[map[string]string]
}

type refResult[T any] struct {
	data T
	err  error
}

func newClientRefs(client kubernetes.Interface) *clientRefs {
	return &clientRefs{client: client,
		secrets:    map[string]refResult[map[string][]byte]{},
		configMaps: map[string]refResult[map[string]string]{}}
}

// SecretData implements RefReader.
func (r *clientRefs) SecretData(ctx context.Context, ns, name string) (map[string][]byte, error) {
	key := ns + "/" + name
	if res, ok := r.secrets[key]; ok {
		return res.data, res.err
	}
	var res refResult[map[string][]byte]
	s, err := r.client.CoreV1().Secrets(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		res.err = err
	} else {
		res.data = map[string][]byte{}
		for k, v := range s.Data {
			res.data[k] = v
		}
		for k, v := range s.StringData {
			res.data[k] = []byte(v)
		}
	}
	r.secrets[key] = res
	return res.data, res.err
}

// ConfigMapData implements RefReader.
func (r *clientRefs) ConfigMapData(ctx context.Context, ns, name string) (map[string]string, error) {
	key := ns + "/" + name
	if res, ok := r.configMaps[key]; ok {
		return res.data, res.err
	}
	var res refResult[map[string]string]
	c, err := r.client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		res.err = err
	} else {
		res.data = map[string]string{}
		for k, v := range c.Data {
			res.data[k] = v
		}
		for k := range c.BinaryData {
			res.data[k] = ""
		}
	}
	r.configMaps[key] = res
	return res.data, res.err
}

// maxLogBytes bounds how much of one container log is read to count attempts.
const maxLogBytes = 8 << 20

// logSummary is what diagnose keeps of one container instance's log.
type logSummary struct {
	tail         []string
	waitingLines int
	signals      logSignals
	// from names the pod the log was read from when it is another pod's of
	// the same workload (a scan reads one log per workload and container).
	from string
}

// readLog streams a container's log, counting "waiting for" lines and keeping the last tail lines.
func readLog(ctx context.Context, client kubernetes.Interface, ns, pod, container string, previous bool, tail int) (logSummary, error) {
	limit := int64(maxLogBytes)
	rc, err := client.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{
		Container: container, Previous: previous, LimitBytes: &limit,
	}).Stream(ctx)
	if err != nil {
		return logSummary{}, err
	}
	defer rc.Close()
	return summarizeLog(rc, tail)
}

func summarizeLog(r io.Reader, tail int) (logSummary, error) {
	var s logSummary
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(strings.ToLower(line), "waiting for") {
			s.waitingLines++
		}
		s.signals.scan(line)
		if tail > 0 {
			s.tail = append(s.tail, line)
			if len(s.tail) > tail {
				s.tail = s.tail[1:]
			}
		}
	}
	return s, sc.Err()
}

// eventsAbout returns the events of items about pod, oldest first.
func eventsAbout(items []corev1.Event, pod *corev1.Pod) []corev1.Event {
	var out []corev1.Event
	for _, e := range items {
		// Filter again: not every client honours field selectors.
		if e.InvolvedObject.Kind == "Pod" && e.InvolvedObject.Name == pod.Name &&
			(e.InvolvedObject.UID == "" || e.InvolvedObject.UID == pod.UID) {
			out = append(out, e)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return eventTime(out[i]).Before(eventTime(out[j])) })
	return out
}

func eventTime(e corev1.Event) time.Time {
	switch {
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	}
	return e.CreationTimestamp.Time
}

// warningEvents formats the last n Warning events as evidence lines.
func warningEvents(events []corev1.Event, now time.Time, n int) []string {
	var lines []string
	for _, e := range events {
		if e.Type != corev1.EventTypeWarning {
			continue
		}
		count := ""
		if e.Count > 1 {
			count = fmt.Sprintf(" ×%d", e.Count)
		}
		lines = append(lines, fmt.Sprintf("event %s%s, %s ago: %s", e.Reason, count, ago(now, eventTime(e)), oneLine(e.Message)))
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

func ago(now, t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String()
}

// oneLine folds a multi-line message and bounds its length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}
