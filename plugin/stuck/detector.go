package stuck

import (
	"regexp"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// The kubelet's waiting reasons this package judges, by cause.
var causeOf = map[string]Cause{
	"ErrImagePull":               CauseImagePull,
	"ImagePullBackOff":           CauseImagePull,
	"RegistryUnavailable":        CauseImagePull, // evalCRIPullErr, runtimes that say so (CRI-O)
	"SignatureValidationFailed":  CauseImagePull,
	"InvalidImageName":           CauseInvalidImage,
	"ErrImageNeverPull":          CauseImageAbsent,
	"CreateContainerConfigError": CauseConfig,
}

// The defaults of Detector's graces.
const (
	DefaultPullGrace   = 30 * time.Second
	DefaultConfigGrace = 20 * time.Second
)

var (
	// failedPullRe reads the kubelet's event `Failed to pull image %q: %v`.
	failedPullRe = regexp.MustCompile(`^Failed to pull image "([^"]+)": `)
	// backOffRe reads the waiting message of ImagePullBackOff, `Back-off
	// pulling image %q` then, since v1.30, `: ErrImagePull: <the pull error>`.
	backOffRe = regexp.MustCompile(`^Back-off pulling image "([^"]+)"(?:: (?:ErrImagePull|RegistryUnavailable|SignatureValidationFailed): (.*))?$`)
)

// Detector judges, from the pods and events it observes, which containers
// can never start by themselves. A pull failure counts as stuck once the
// kubelet's second try has failed too (counted from the ErrImagePull
// transitions and the count of its "Failed to pull image" event), or once
// it has lasted PullGrace; a configuration error once the kubelet has
// retried it (its event counted twice) or it has lasted ConfigGrace; an
// unparsable image, or one absent under pull policy Never, at once.
// It is not safe for concurrent use.
type Detector struct {
	PullGrace, ConfigGrace time.Duration

	containers map[string]*container // by namespace/pod/container
	pulls      map[string]pullEvent  // "Failed to pull image" by namespace/pod/image
	configs    map[string]int32      // "Error: ..." event counts by namespace/pod/message
	reported   map[string]bool       // Finding keys already returned
}

type container struct {
	Finding
	lastReason string
	pullErrors int // transitions into ErrImagePull
}

type pullEvent struct {
	count   int32
	message string
}

func (d *Detector) init() {
	if d.containers == nil {
		d.containers, d.pulls, d.configs, d.reported = map[string]*container{}, map[string]pullEvent{}, map[string]int32{}, map[string]bool{}
	}
}

// ObservePod takes a pod's current state (deleted: it is gone). A pod
// being deleted counts as gone: a rollout is replacing it.
func (d *Detector) ObservePod(p *corev1.Pod, deleted bool, now time.Time) {
	d.init()
	deleted = deleted || p.DeletionTimestamp != nil
	prefix := p.Namespace + "/" + p.Name + "/"
	seen := map[string]bool{}
	if !deleted {
		d.observeStatuses(p, p.Status.InitContainerStatuses, true, now, seen)
		d.observeStatuses(p, p.Status.ContainerStatuses, false, now, seen)
	}
	for k := range d.containers {
		if strings.HasPrefix(k, prefix) && !seen[k] {
			delete(d.containers, k)
		}
	}
	if deleted {
		for k := range d.pulls {
			if strings.HasPrefix(k, prefix) {
				delete(d.pulls, k)
			}
		}
		for k := range d.configs {
			if strings.HasPrefix(k, prefix) {
				delete(d.configs, k)
			}
		}
	}
}

func (d *Detector) observeStatuses(p *corev1.Pod, statuses []corev1.ContainerStatus, init bool, now time.Time, seen map[string]bool) {
	for _, cs := range statuses {
		w := cs.State.Waiting
		if w == nil {
			continue
		}
		cause, ok := causeOf[w.Reason]
		if !ok {
			continue
		}
		key := p.Namespace + "/" + p.Name + "/" + cs.Name
		seen[key] = true
		c := d.containers[key]
		if c == nil || c.Cause != cause {
			c = &container{Finding: Finding{Namespace: p.Namespace, Pod: p.Name, Container: cs.Name, Init: init,
				Image: specImage(p, cs), Cause: cause, Since: now}}
			d.containers[key] = c
		}
		if w.Reason == "ErrImagePull" && c.lastReason != "ErrImagePull" {
			c.pullErrors++
		}
		c.lastReason, c.Reason, c.Message = w.Reason, w.Reason, w.Message
	}
}

// specImage is the image the pod's spec names for a container (the
// status may show it resolved), else the status's.
func specImage(p *corev1.Pod, cs corev1.ContainerStatus) string {
	for _, list := range [][]corev1.Container{p.Spec.InitContainers, p.Spec.Containers} {
		for _, c := range list {
			if c.Name == cs.Name {
				return c.Image
			}
		}
	}
	return cs.Image
}

// ObserveEntry takes a timeline entry; only the kubelet's events of pods count.
func (d *Detector) ObserveEntry(e timeline.Entry) {
	d.init()
	if e.Kind != timeline.KindEvent || e.Event == nil || e.Pod == "" || e.Event.Reason != "Failed" {
		return
	}
	prefix := e.Namespace + "/" + e.Pod + "/"
	msg := e.Event.Message
	if m := failedPullRe.FindStringSubmatch(msg); m != nil {
		k := prefix + m[1]
		if pe := d.pulls[k]; e.Event.Count >= pe.count {
			d.pulls[k] = pullEvent{count: e.Event.Count, message: msg}
		}
		return
	}
	if rest, ok := strings.CutPrefix(msg, "Error: "); ok {
		if _, imageReason := causeOf[rest]; !imageReason {
			k := prefix + rest
			d.configs[k] = max(d.configs[k], e.Event.Count)
		}
	}
}

// Check returns what is stuck at now and was not returned before, one
// Finding per Key, ordered by pod and container.
func (d *Detector) Check(now time.Time) []Finding {
	d.init()
	pullGrace, configGrace := d.PullGrace, d.ConfigGrace
	if pullGrace == 0 {
		pullGrace = DefaultPullGrace
	}
	if configGrace == 0 {
		configGrace = DefaultConfigGrace
	}
	keys := make([]string, 0, len(d.containers))
	for k := range d.containers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Finding
	for _, k := range keys {
		c := d.containers[k]
		f, stuck := d.judge(c, now, pullGrace, configGrace)
		if !stuck || d.reported[f.Key()] {
			continue
		}
		d.reported[f.Key()] = true
		out = append(out, f)
	}
	return out
}

func (d *Detector) judge(c *container, now time.Time, pullGrace, configGrace time.Duration) (Finding, bool) {
	f := c.Finding
	prefix := f.Namespace + "/" + f.Pod + "/"
	switch f.Cause {
	case CauseInvalidImage, CauseImageAbsent:
		return f, true
	case CauseImagePull:
		ev, ok := d.pulls[prefix+f.Image]
		if !ok {
			ev = d.pulls[prefix+f.Image+":latest"] // the kubelet's applyDefaultImageTag
		}
		f.Tries = max(c.pullErrors, int(ev.count))
		if ev.message != "" {
			f.Message = ev.message
		} else {
			f.Message = pullMessage(f.Image, f.Message, c.lastReason)
		}
		return f, f.Tries >= 2 || now.Sub(f.Since) >= pullGrace
	case CauseConfig:
		return f, d.configs[prefix+f.Message] >= 2 || now.Sub(f.Since) >= configGrace
	}
	return f, false
}

// pullMessage words a pull failure as the kubelet's event does, from the
// waiting message when no event was seen: ErrImagePull's is the pull
// error itself, ImagePullBackOff's wraps it.
func pullMessage(image, waiting, reason string) string {
	if m := backOffRe.FindStringSubmatch(waiting); m != nil {
		if m[2] == "" {
			return waiting // before v1.30 the back-off message names no error
		}
		return `Failed to pull image "` + m[1] + `": ` + m[2]
	}
	if reason == "ErrImagePull" && waiting != "" && !strings.HasPrefix(waiting, "Failed to pull image") {
		return `Failed to pull image "` + image + `": ` + waiting
	}
	return waiting
}
