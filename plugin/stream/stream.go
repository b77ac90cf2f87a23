// Package stream runs the timeline: it wires the pod Table watch, the log
// followers and the event watches of a target into one serialised Sink, keeps
// the per-pod summary, and stops when the target is Ready if asked to. It is
// the `Run(ctx, clients, config)` behind `watch`, `up` and `compare`, and
// knows nothing about cobra.
package stream

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Until says when Run returns by itself.
type Until string

// The stop conditions.
const (
	UntilNever Until = "never"
	UntilReady Until = "ready"
)

// Clients are the API clients Run uses.
type Clients struct {
	Kube   kubernetes.Interface
	Tables source.PodTables
	Logs   source.LogStreamer
}

// Config says what to follow and when to stop.
type Config struct {
	Target source.Target
	Logs   source.LogSelection
	Until  Until
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Result is what a finished Run saw.
type Result struct {
	// Ready is true when Run stopped because every pod was Ready.
	Ready bool
	// Pods is the last status of each pod still present, by name.
	Pods map[string]timeline.StatusInfo
	// Summary is the per-pod summary, in the order pods were first seen.
	Summary []timeline.PodSummary
}

// NotReady lists the pods that are not Ready as "name (STATUS)", sorted.
func (r Result) NotReady() string {
	var out []string
	for name, s := range r.Pods {
		if !s.PodReady {
			out = append(out, fmt.Sprintf("%s is %s", name, s.Status))
		}
	}
	sort.Strings(out)
	if len(r.Pods) == 0 {
		return "no pods matched"
	}
	return strings.Join(out, ", ")
}

type runner struct {
	cfg  Config
	c    Clients
	sink timeline.Sink

	mu      sync.Mutex
	sinkErr error
	tracker timeline.Tracker
	last    map[types.UID]string
	pods    map[types.UID]timeline.StatusInfo
	names   map[types.UID]string
	owners  map[types.UID]bool
	said    bool
	ready   bool
	stop    context.CancelFunc
	events  *source.Events
	logs    *source.Logs
}

// Run streams the target's timeline into sink until ctx ends or, with
// UntilReady, every pod of the target is Ready. The error is non-nil when the
// target cannot be watched at all or the sink fails.
func Run(ctx context.Context, c Clients, cfg Config, sink timeline.Sink) (Result, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &runner{cfg: cfg, c: c, sink: sink, stop: cancel, last: map[types.UID]string{},
		pods: map[types.UID]timeline.StatusInfo{}, names: map[types.UID]string{}, owners: map[types.UID]bool{}}
	ns := cfg.Target.Namespace
	r.events = &source.Events{Client: c.Kube, Namespace: ns, Emit: r.emit}
	r.logs = &source.Logs{Streamer: c.Logs, Select: cfg.Logs, Namespace: ns, Emit: r.emit}
	for _, o := range cfg.Target.Owners {
		r.events.Follow(ctx, o)
	}
	pw := &source.PodWatch{Tables: c.Tables, Target: cfg.Target,
		OnRow:    func(row source.PodRow, deleted bool) { r.onRow(ctx, row, deleted) },
		OnSynced: r.onSynced}
	err := pw.Run(ctx)
	cancel()
	r.logs.Wait()
	r.events.Wait()

	r.mu.Lock()
	defer r.mu.Unlock()
	res := Result{Ready: r.ready, Pods: map[string]timeline.StatusInfo{}, Summary: r.tracker.Summary(cfg.Now())}
	for uid, s := range r.pods {
		res.Pods[r.names[uid]] = s
	}
	if err == nil {
		err = r.sinkErr
	}
	return res, err
}

// emit serialises entries into the sink and the summary.
func (r *runner) emit(e timeline.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tracker.Observe(e)
	if r.sinkErr != nil {
		return
	}
	if err := r.sink.Emit(e); err != nil {
		r.sinkErr = fmt.Errorf("writing the timeline: %w", err)
		r.stop()
	}
}

func (r *runner) onRow(ctx context.Context, row source.PodRow, deleted bool) {
	p := row.Pod
	now := r.cfg.Now()
	st := source.StatusOf(row, deleted, now)
	key := fmt.Sprintf("%s|%s|%d|%v|%v", st.Status, st.Ready, st.Restarts, st.PodReady, deleted)
	r.mu.Lock()
	changed := r.last[p.UID] != key
	r.last[p.UID] = key
	if deleted {
		delete(r.pods, p.UID)
	} else {
		r.pods[p.UID], r.names[p.UID] = *st, p.Name
	}
	r.mu.Unlock()
	if changed {
		r.emit(timeline.Entry{Time: now, Kind: timeline.KindStatus, Namespace: p.Namespace, Pod: p.Name, Status: st})
	}
	r.logs.Update(ctx, p, deleted)
	if !deleted {
		r.events.Follow(ctx, source.ObjectRef{Kind: "Pod", Name: p.Name, UID: p.UID})
		r.followOwners(ctx, p.OwnerReferences)
	}
	r.checkReady()
}

// followOwners follows the events of a pod's controller and, for a
// ReplicaSet, of the Deployment that owns it.
func (r *runner) followOwners(ctx context.Context, refs []metav1.OwnerReference) {
	for _, o := range refs {
		if o.Controller == nil || !*o.Controller {
			continue
		}
		r.mu.Lock()
		seen := r.owners[o.UID]
		r.owners[o.UID] = true
		r.mu.Unlock()
		if seen {
			continue
		}
		r.events.Follow(ctx, source.ObjectRef{Kind: o.Kind, Name: o.Name, UID: o.UID})
		if o.Kind == "ReplicaSet" {
			go func() { // best effort: needs get on replicasets
				rs, err := r.c.Kube.AppsV1().ReplicaSets(r.cfg.Target.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
				if err == nil {
					r.followOwners(ctx, rs.OwnerReferences)
				}
			}()
		}
	}
}

func (r *runner) onSynced(n int) {
	r.mu.Lock()
	say := n == 0 && !r.said
	r.said = r.said || n == 0
	r.mu.Unlock()
	if say {
		r.emit(timeline.Entry{Time: r.cfg.Now(), Kind: timeline.KindNotice, Namespace: r.cfg.Target.Namespace,
			Notice: fmt.Sprintf("no pods match %s yet; waiting for them", r.cfg.Target.Description)})
	}
}

func (r *runner) checkReady() {
	if r.cfg.Until != UntilReady {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.pods) == 0 {
		return
	}
	for _, s := range r.pods {
		if !s.PodReady {
			return
		}
	}
	r.ready = true
	r.stop()
}
