package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/apierr"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/target"
)

// PodWatch follows the pod Table of a target: one list, then a watch that
// client-go's RetryWatcher resumes after expiry, dropped connections and
// API-server restarts. When the resourceVersion is too old (410 Gone) it
// lists again and reports only what changed meanwhile.
type PodWatch struct {
	Tables PodTables
	Target target.Target
	// OnRow is called for every added or changed row, and with deleted=true
	// for a pod that is gone. Calls come from one goroutine.
	OnRow func(row PodRow, deleted bool)
	// OnSynced is called after each (re)list has been delivered in full.
	OnSynced func(pods int)
	// OnEvent, if set, is called after the rows of each watch event have
	// been delivered (never in the middle of a list).
	OnEvent func()
	// OnConnection, if set, is called with false when the API server can no
	// longer be reached (a list or watch fails without an API status) and
	// with true when it can again. Calls come only on changes.
	OnConnection func(ok bool)
	// OnResync, if set, is called once after each re-list that a 410 Gone
	// forced (the watch's resourceVersion was compacted away), once its
	// rows have been delivered.
	OnResync func()
	// RetryDelay is the pause between failed re-lists (default 1s).
	RetryDelay time.Duration
	// Clock times the pause (default the wall clock).
	Clock clock.Clock

	expired bool // a 410 Gone asked for the re-list not yet done

	known   map[types.UID]PodRow
	columns []metav1.TableColumnDefinition
	connMu  sync.Mutex // lost is set from the RetryWatcher's goroutine too
	lost    bool
}

// connection reports the outcome of a request to OnConnection: an error
// without an API status (refused, reset, DNS, timeout) means the server is
// unreachable; anything else means it answered.
func (w *PodWatch) connection(ctx context.Context, err error) {
	if w.OnConnection == nil || ctx.Err() != nil {
		return
	}
	var status apierrors.APIStatus
	lost := err != nil && !errors.As(err, &status)
	w.connMu.Lock()
	defer w.connMu.Unlock()
	if lost != w.lost {
		w.lost = lost
		w.OnConnection(!lost)
	}
}

// rows reads a Table with its own columns or, when it has none, the last seen.
func (w *PodWatch) rows(t *metav1.Table) ([]PodRow, error) {
	if len(t.ColumnDefinitions) > 0 {
		w.columns = t.ColumnDefinitions
	}
	if len(w.columns) == 0 && len(t.Rows) > 0 {
		return nil, fmt.Errorf("the API server sent pod rows without column definitions")
	}
	return tableRows(t, w.columns)
}

func (w *PodWatch) opts() metav1.ListOptions {
	return metav1.ListOptions{LabelSelector: w.Target.LabelSelector, FieldSelector: w.Target.FieldSelector}
}

// Run lists and watches until ctx ends. Only the first list's error is
// returned (a target that cannot be listed is bad input); later failures
// are retried.
func (w *PodWatch) Run(ctx context.Context) error {
	w.known = map[types.UID]PodRow{}
	rv, err := w.relist(ctx)
	if err != nil {
		return apierr.Explain(err, "list", "pods", "", w.Target.Namespace, "")
	}
	delay := w.RetryDelay
	if delay == 0 {
		delay = time.Second
	}
	for ctx.Err() == nil {
		if rv == "" {
			if rv, err = w.relist(ctx); err != nil {
				select {
				case <-ctx.Done():
				case <-wallIfNil(w.Clock).After(delay):
				}
				continue
			}
			if w.expired && w.OnResync != nil {
				w.OnResync()
			}
			w.expired = false
		}
		rv, err = w.watch(ctx, rv)
		if err != nil {
			return err
		}
	}
	return nil
}

// relist lists the pods, reports changes against what is known, and returns
// the list's resourceVersion.
func (w *PodWatch) relist(ctx context.Context) (string, error) {
	table, err := w.Tables.List(ctx, w.opts())
	w.connection(ctx, err)
	if err != nil {
		return "", err
	}
	rows, err := w.rows(table)
	if err != nil {
		return "", err
	}
	seen := make(map[types.UID]bool, len(rows))
	for _, r := range rows {
		seen[r.Pod.UID] = true
		w.deliver(r, false)
	}
	for uid, r := range w.known {
		if !seen[uid] {
			w.deliver(r, true)
		}
	}
	if w.OnSynced != nil {
		w.OnSynced(len(rows))
	}
	return table.ResourceVersion, nil
}

func (w *PodWatch) deliver(r PodRow, deleted bool) {
	if deleted {
		delete(w.known, r.Pod.UID)
	} else {
		w.known[r.Pod.UID] = r
	}
	w.OnRow(r, deleted)
}

// watch consumes one RetryWatcher until it ends; it returns the empty
// resourceVersion when a re-list is needed.
func (w *PodWatch) watch(ctx context.Context, rv string) (string, error) {
	lw := &cache.ListWatch{WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
		opts := w.opts()
		opts.ResourceVersion = o.ResourceVersion
		opts.AllowWatchBookmarks = true
		opts.TimeoutSeconds = o.TimeoutSeconds
		wi, err := w.Tables.Watch(ctx, opts)
		w.connection(ctx, err)
		return wi, err
	}}
	rw, err := watchtools.NewRetryWatcherWithContext(ctx, rv, lw)
	if err != nil {
		return "", err
	}
	defer rw.Stop()
	for {
		select {
		case <-ctx.Done():
			return "", nil
		case ev, ok := <-rw.ResultChan():
			if !ok {
				return "", nil
			}
			switch ev.Type {
			case watch.Added, watch.Modified, watch.Deleted:
				table, err := decodeTable(ev.Object)
				if err != nil {
					return "", err
				}
				rows, err := w.rows(table)
				if err != nil {
					return "", err
				}
				for _, r := range rows {
					w.deliver(r, ev.Type == watch.Deleted)
				}
				if w.OnEvent != nil {
					w.OnEvent()
				}
			case watch.Error:
				status := apierrors.FromObject(ev.Object)
				if apierrors.IsGone(status) || apierrors.IsResourceExpired(status) || statusCode(status) == http.StatusGone {
					w.expired = true
					return "", nil
				}
				if apierrors.IsForbidden(status) {
					return "", apierr.Explain(status, "watch", "pods", "", w.Target.Namespace, "")
				}
				return "", nil
			}
		}
	}
}

func statusCode(err error) int32 {
	if s, ok := err.(apierrors.APIStatus); ok {
		return s.Status().Code
	}
	return 0
}

// String describes the watch for messages.
func (w *PodWatch) String() string {
	return fmt.Sprintf("pods of %s in %s", w.Target.Description, w.Target.Namespace)
}
