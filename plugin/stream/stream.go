// Package stream runs the timeline: it wires the pod Table watch, the log
// followers and the event watches of a target into one serialised Sink, keeps
// the per-pod summary, and stops when the target is Ready if asked to. It is
// the `Run(ctx, clients, config)` behind `watch`, `up` and `compare`, and
// knows nothing about cobra.
package stream

import (
	"context"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/source"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
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
	Target target.Target
	Logs   source.LogSelection
	Until  Until
	// Clock stamps the status lines and times the start-up hold, the
	// sources' retries and the drain (default the wall clock). Tests step a
	// k8s.io/utils/clock/testing.FakeClock.
	Clock clock.WithDelayedExecution
	// EventLinger is how long a deleted pod's events are still watched
	// (default 30s).
	EventLinger time.Duration
	// DrainTimeout bounds the last read of the logs when the target is
	// Ready (default 2s).
	DrainTimeout time.Duration
	// StartupWindow bounds how long the start-up history is held to be
	// printed sorted by time (default 1s).
	StartupWindow time.Duration
	// Columns is told the layout of the timeline before its first line
	// (timeline.Columns); when nil, the sink is, if it is a Columnar. Set
	// it when the sink wraps the renderer.
	Columns timeline.Columnar
}

// Result is what a finished Run saw.
type Result struct {
	// Ready is true when Run stopped because the target was Ready.
	Ready bool
	// Failed is the one-line reason when Run stopped because the target can
	// never be Ready (a failed Job).
	Failed string
	// Workload is what the target's owner still lacks, when it has one and
	// is not done (e.g. "statefulset/db: 1 of 2 replicas ready").
	Workload string
	// Pods is the last status of each pod still present, by name.
	Pods map[string]timeline.StatusInfo
	// Summary is the per-pod summary, in the order pods were first seen.
	Summary []timeline.PodSummary
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
	// ownerPods are the live pods of each owner followed through its pods
	// (not the target's own owners): an owner left without pods (an old
	// ReplicaSet after a rollout) stops being followed.
	ownerPods map[types.UID]map[types.UID]bool
	widest    int // the widest pod or owner seen, for the pod column
	said      bool
	synced    bool
	ready     bool
	failed    string
	workload  *source.WorkloadState
	stop      context.CancelFunc
	stopAll   context.CancelFunc
	events    *source.Events
	logs      *source.Logs
	startup   startup
	wg        sync.WaitGroup // goroutines of the runner itself
}

// Run streams the target's timeline into sink until ctx ends or, with
// UntilReady, the target is Ready (or can never be). The error is non-nil
// when the target cannot be watched at all or the sink fails.
func Run(ctx context.Context, c Clients, cfg Config, sink timeline.Sink) (Result, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	if cfg.EventLinger == 0 {
		cfg.EventLinger = 30 * time.Second
	}
	if cfg.DrainTimeout == 0 {
		cfg.DrainTimeout = 2 * time.Second
	}
	if cfg.StartupWindow == 0 {
		cfg.StartupWindow = time.Second
	}
	// logCtx outlives watchCtx so that the logs can be drained once the
	// target is Ready.
	logCtx, cancelLogs := context.WithCancel(ctx)
	defer cancelLogs()
	watchCtx, cancel := context.WithCancel(logCtx)
	defer cancel()
	r := &runner{cfg: cfg, c: c, sink: sink, stop: cancel, stopAll: cancelLogs, last: map[types.UID]string{},
		pods: map[types.UID]timeline.StatusInfo{}, names: map[types.UID]string{}, owners: map[types.UID]bool{},
		ownerPods: map[types.UID]map[types.UID]bool{}}
	r.startup.init(r)
	ns := cfg.Target.Namespace
	r.events = &source.Events{Client: c.Kube, Namespace: ns, Emit: r.emit, OnListed: r.startup.listed, Clock: cfg.Clock}
	r.logs = &source.Logs{Streamer: c.Logs, Select: cfg.Logs, Namespace: ns, Emit: r.emit, Clock: cfg.Clock}
	for _, o := range cfg.Target.Owners {
		r.follow(watchCtx, o)
	}
	if cfg.Until == UntilReady && cfg.Target.HasWorkload() {
		ww := &source.WorkloadWatch{Client: c.Kube, Target: cfg.Target, OnChange: r.onWorkload}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			ww.Run(watchCtx)
		}()
	}
	pw := &source.PodWatch{Tables: c.Tables, Target: cfg.Target, Clock: cfg.Clock,
		OnRow:        func(row source.PodRow, deleted bool) { r.onRow(watchCtx, logCtx, row, deleted) },
		OnSynced:     r.onSynced,
		OnEvent:      r.onEvent,
		OnConnection: r.onConnection,
		OnResync:     r.onResync}
	err := pw.Run(watchCtx)
	cancel()
	r.mu.Lock()
	drain := r.ready && r.sinkErr == nil
	r.mu.Unlock()
	if drain {
		r.logs.Drain(cfg.DrainTimeout)
	}
	cancelLogs()
	r.wg.Wait()
	r.logs.Wait()
	r.events.Wait()

	r.mu.Lock()
	defer r.mu.Unlock()
	r.startup.flushLocked()
	res := Result{Ready: r.ready, Failed: r.failed, Pods: map[string]timeline.StatusInfo{}, Summary: r.tracker.Summary(cfg.Clock.Now())}
	if r.workload != nil && !r.workload.Done {
		res.Workload = r.workload.Reason
	}
	for uid, s := range r.pods {
		res.Pods[r.names[uid]] = s
	}
	if err == nil {
		err = r.sinkErr
	}
	return res, err
}

// emit serialises entries into the sink and the summary; during start-up
// they are held to be printed sorted by time.
func (r *runner) emit(e timeline.Entry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.startup.hold(e) {
		return
	}
	r.emitLocked(e)
}

func (r *runner) emitLocked(e timeline.Entry) {
	r.tracker.Observe(e)
	if r.sinkErr != nil {
		return
	}
	if err := r.sink.Emit(e); err != nil {
		r.sinkErr = fmt.Errorf("writing the timeline: %w", err)
		r.stopAll()
	}
}

// follow starts watching ref's events, counting its initial list as part
// of the start-up history.
func (r *runner) follow(ctx context.Context, ref target.ObjectRef) {
	r.startup.expect(ref)
	if !r.events.Follow(ctx, ref) {
		r.startup.listed(ref)
	}
}

func (r *runner) onRow(ctx, logCtx context.Context, row source.PodRow, deleted bool) {
	p := row.Pod
	now := r.cfg.Clock.Now()
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
	r.widest = max(r.widest, len(p.Name))
	r.mu.Unlock()
	if changed {
		r.emit(timeline.Entry{Time: now, Kind: timeline.KindStatus, Namespace: p.Namespace, Pod: p.Name, Status: st})
	}
	r.mu.Lock()
	r.tracker.ObserveRestarts(p.Namespace, p.Name, st.TotalRestarts)
	r.mu.Unlock()
	r.logs.Update(logCtx, p, deleted)
	r.countOwnerPods(p, deleted)
	if deleted {
		r.events.Forget(p.UID, r.cfg.EventLinger)
		return
	}
	r.follow(ctx, target.ObjectRef{Kind: "Pod", Name: p.Name, UID: p.UID})
	r.followOwners(ctx, p.OwnerReferences)
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
		r.widest = max(r.widest, refWidth(o.Kind, o.Name))
		r.mu.Unlock()
		if seen {
			continue
		}
		r.follow(ctx, target.ObjectRef{Kind: o.Kind, Name: o.Name, UID: o.UID})
		if o.Kind == "ReplicaSet" && ctx.Err() == nil {
			r.wg.Add(1)
			go func() { // best effort: needs get on replicasets
				defer r.wg.Done()
				rs, err := r.c.Kube.AppsV1().ReplicaSets(r.cfg.Target.Namespace).Get(ctx, o.Name, metav1.GetOptions{})
				if err == nil {
					r.followOwners(ctx, rs.OwnerReferences)
				}
			}()
		}
	}
}

// onSynced runs after each (re)list has been delivered in full: only then
// is the set of pods complete enough to judge readiness.
func (r *runner) onSynced(n int) {
	r.mu.Lock()
	say := n == 0 && !r.said
	r.said = r.said || n == 0
	first := !r.synced
	r.synced = true
	r.mu.Unlock()
	if say {
		r.emit(timeline.Entry{Time: r.cfg.Clock.Now(), Kind: timeline.KindNotice, Namespace: r.cfg.Target.Namespace,
			Notice: fmt.Sprintf("no pods match %s yet; waiting for them", r.cfg.Target.Subject())})
	}
	if first {
		r.startup.synced()
	}
	r.checkReady()
}

// onEvent runs after each watch event: live changes end the start-up hold.
func (r *runner) onEvent() {
	r.startup.live()
	r.checkReady()
}

func (r *runner) onConnection(ok bool) {
	msg := "connection to the API server lost; reconnecting"
	if ok {
		msg = "reconnected to the API server"
	}
	r.emit(timeline.Entry{Time: r.cfg.Clock.Now(), Kind: timeline.KindNotice, Namespace: r.cfg.Target.Namespace, Notice: msg})
}

// onResync says that the pods were listed again because the watch's
// resourceVersion had been compacted away: what changed while the watch
// was disconnected shows as one transition per pod.
func (r *runner) onResync() {
	r.emit(timeline.Entry{Time: r.cfg.Clock.Now(), Kind: timeline.KindNotice, Namespace: r.cfg.Target.Namespace,
		Notice: "re-synced: the watch's resource version had expired (410 Gone), so the pods were listed again; changes made while disconnected show as one transition"})
}

func (r *runner) onWorkload(s source.WorkloadState) {
	r.mu.Lock()
	r.workload = &s
	r.mu.Unlock()
	r.checkReady()
}
