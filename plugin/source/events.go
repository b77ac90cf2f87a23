package source

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Events watches the events of individual objects, selected on the server
// by involvedObject.uid so that the cost follows the target, and emits each
// event once and again whenever its count grows.
type Events struct {
	Client    kubernetes.Interface
	Namespace string
	Emit      func(timeline.Entry)
	// RetryDelay is the pause between failed re-lists (default 1s).
	RetryDelay time.Duration
	// Clock stamps notices and times the pauses and Forget's linger
	// (default the wall clock).
	Clock clock.WithDelayedExecution
	// OnListed, if set, is called once per followed object, after the
	// events listed when its watch started have been emitted (or the list
	// has failed for good).
	OnListed func(target.ObjectRef)

	mu       sync.Mutex
	counter  timeline.EventCounter
	watching map[types.UID]context.CancelFunc // nil once forgotten
	closed   bool
	wg       sync.WaitGroup
}

// Follow starts watching ref's events unless they are watched already,
// and reports whether it did; an object forgotten before is watched again
// (its events listed anew, printed only where their counts grew). It does
// nothing once ctx has ended or Wait has been called.
func (e *Events) Follow(ctx context.Context, ref target.ObjectRef) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.watching == nil {
		e.watching = map[types.UID]context.CancelFunc{}
	}
	if cancel := e.watching[ref.UID]; ref.UID == "" || cancel != nil || e.closed || ctx.Err() != nil {
		return false
	}
	ctx, cancel := context.WithCancel(ctx)
	e.watching[ref.UID] = cancel
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer cancel()
		e.run(ctx, ref)
	}()
	return true
}

// Forget stops the watch of uid's events after linger (so that the events
// of an object's last moments still arrive), until Follow is called for it
// again.
func (e *Events) Forget(uid types.UID, linger time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cancel := e.watching[uid]
	if cancel == nil {
		return
	}
	e.watching[uid] = nil
	e.clock().AfterFunc(linger, cancel)
}

// Watching is the number of watches not yet forgotten.
func (e *Events) Watching() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.watching {
		if c != nil {
			n++
		}
	}
	return n
}

// Wait blocks until every watch has returned; Follow does nothing after it.
func (e *Events) Wait() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.wg.Wait()
}

func (e *Events) run(ctx context.Context, ref target.ObjectRef) {
	sel := fields.OneTermEqualSelector("involvedObject.uid", string(ref.UID)).String()
	api := e.Client.CoreV1().Events(e.Namespace)
	delay := e.RetryDelay
	if delay == 0 {
		delay = time.Second
	}
	listed := false
	defer func() {
		if !listed && e.OnListed != nil {
			e.OnListed(ref)
		}
	}()
	for ctx.Err() == nil {
		list, err := api.List(ctx, metav1.ListOptions{FieldSelector: sel})
		if err != nil {
			if apierrors.IsForbidden(err) {
				e.notice(ref, apierr.Explain(err, "list", "events", "", e.Namespace, "").Error()+"; events are left out")
				return
			}
			sleep(ctx, e.Clock, delay)
			continue
		}
		items := list.Items
		sort.SliceStable(items, func(i, j int) bool { return eventTime(&items[i]).Before(eventTime(&items[j])) })
		for i := range items {
			e.observe(&items[i], true)
		}
		if !listed && e.OnListed != nil {
			e.OnListed(ref)
		}
		listed = true
		lw := &cache.ListWatch{WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			o.FieldSelector = sel
			o.AllowWatchBookmarks = true
			return api.Watch(ctx, o)
		}}
		rw, err := watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, lw)
		if err != nil {
			sleep(ctx, e.Clock, delay)
			continue
		}
		for ev := range rw.ResultChan() {
			if ev.Type == watch.Added || ev.Type == watch.Modified {
				if ce, ok := ev.Object.(*corev1.Event); ok {
					e.observe(ce, false)
				}
			}
			if ev.Type == watch.Error {
				break // 410 Gone or a fatal error: list again
			}
		}
		rw.Stop()
	}
}

func (e *Events) observe(ev *corev1.Event, backfill bool) {
	count := ev.Count
	if ev.Series != nil && ev.Series.Count > count {
		count = ev.Series.Count
	}
	e.mu.Lock()
	show := e.counter.Observe(ev.Namespace+"/"+ev.Name, count)
	e.mu.Unlock()
	if !show {
		return
	}
	entry := timeline.Entry{Time: eventTime(ev), Kind: timeline.KindEvent, Namespace: ev.Namespace, Backfill: backfill,
		Event: &timeline.EventInfo{Type: ev.Type, Reason: ev.Reason, Message: ev.Message, Count: max(count, 1),
			Object: strings.ToLower(ev.InvolvedObject.Kind) + "/" + ev.InvolvedObject.Name}}
	if ev.InvolvedObject.Kind == "Pod" {
		entry.Pod = ev.InvolvedObject.Name
	}
	e.Emit(entry)
}

func (e *Events) notice(ref target.ObjectRef, msg string) {
	e.Emit(timeline.Entry{Time: e.clock().Now(), Kind: timeline.KindNotice, Namespace: e.Namespace, Notice: ref.String() + ": " + msg})
}

// eventTime is the newest time an event carries.
func eventTime(ev *corev1.Event) time.Time {
	t := ev.LastTimestamp.Time
	if ev.Series != nil && ev.Series.LastObservedTime.After(t) {
		t = ev.Series.LastObservedTime.Time
	}
	if ev.EventTime.After(t) {
		t = ev.EventTime.Time
	}
	if t.IsZero() {
		t = ev.FirstTimestamp.Time
	}
	if t.IsZero() {
		t = ev.CreationTimestamp.Time
	}
	return t
}

// sleep waits d on clk, or until ctx ends.
func sleep(ctx context.Context, clk clock.Clock, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-wallIfNil(clk).After(d):
	}
}
