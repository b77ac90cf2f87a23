package source

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// LogStreamer opens a pod's log stream.
type LogStreamer interface {
	Stream(ctx context.Context, ns, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error)
}

// ClientLogStreamer implements LogStreamer with a clientset.
type ClientLogStreamer struct{ Client kubernetes.Interface }

// Stream opens GET pods/log.
func (c ClientLogStreamer) Stream(ctx context.Context, ns, pod string, opts *corev1.PodLogOptions) (io.ReadCloser, error) {
	return c.Client.CoreV1().Pods(ns).GetLogs(pod, opts).Stream(ctx)
}

// LogSelection says which containers' logs to follow.
type LogSelection struct {
	// Names picks containers by name; empty means all init containers.
	Names []string
	// All adds the app containers.
	All bool
}

func (s LogSelection) wants(name string, init bool) bool {
	if len(s.Names) > 0 {
		for _, n := range s.Names {
			if n == name {
				return true
			}
		}
		return s.All && !init
	}
	return init || s.All
}

// Logs follows every instance of the selected containers of the pods it is
// told about, identified by container ID, and emits each line exactly once:
// while an instance runs its log is followed; once it has ended its log is
// read again (as current or as previous) from the last line printed, which
// also recovers the lines of an instance that ended before it was seen.
type Logs struct {
	Streamer  LogStreamer
	Select    LogSelection
	Emit      func(timeline.Entry)
	Namespace string
	// RetryDelay is the pause before re-opening a stream that broke (default 1s).
	RetryDelay time.Duration
	// Clock stamps notices and lines without a timestamp, and times the
	// pauses and Drain's bound (default the wall clock).
	Clock clock.Clock

	mu        sync.Mutex
	pods      map[types.UID]*corev1.Pod
	instances map[string]bool // container IDs being or done being followed
	missing   map[string]bool // -c names already reported as not in a pod
	printed   map[string]*printedLines
	wg        sync.WaitGroup
	// drain is cancelled by Drain: followers then stop following and make
	// one last read from their cursor.
	drain       context.Context
	startDrain  context.CancelFunc
	initialised bool
}

// instanceState is where a container instance stands in the latest pod.
type instanceState int

const (
	instanceGone instanceState = iota
	instanceRunning
	instanceEnded    // the container's current instance, terminated
	instancePrevious // the instance before the current one
)

// Update takes the latest version of a pod and starts followers for
// instances not seen before. Call Wait after ctx ends.
func (l *Logs) Update(ctx context.Context, pod *corev1.Pod, deleted bool) {
	for _, n := range l.update(ctx, pod, deleted) {
		l.Emit(timeline.Entry{Time: wallIfNil(l.Clock).Now(), Kind: timeline.KindNotice, Namespace: pod.Namespace, Pod: pod.Name,
			Notice: fmt.Sprintf("pod %s has no container named %q: -c %s shows nothing for it", pod.Name, n, n)})
	}
}

// update does the work of Update and returns the -c names the pod lacks
// that have not been reported yet.
func (l *Logs) update(ctx context.Context, pod *corev1.Pod, deleted bool) (missing []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.init()
	if deleted {
		delete(l.pods, pod.UID)
		for key := range l.printed {
			if strings.HasPrefix(key, pod.Name+"/") {
				delete(l.printed, key)
			}
		}
		return nil
	}
	l.pods[pod.UID] = pod
	for _, name := range l.Select.Names {
		if !l.missing[name] && !hasContainer(pod, name) {
			l.missing[name] = true
			missing = append(missing, name)
		}
	}
	for _, c := range containerInstances(pod) {
		if !l.Select.wants(c.name, c.init) || l.instances[c.id] {
			continue
		}
		l.instances[c.id] = true
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.follow(ctx, pod.UID, pod.Name, c)
		}()
	}
	return missing
}

// Wait blocks until every follower has returned.
func (l *Logs) Wait() { l.wg.Wait() }

type instance struct {
	name, id string
	init     bool
}

// containerInstances lists the instances the pod status names: each
// container's current one (once it has started) and its previous one.
func containerInstances(p *corev1.Pod) []instance {
	var out []instance
	add := func(list []corev1.ContainerStatus, init bool) {
		for _, cs := range list {
			if t := cs.LastTerminationState.Terminated; t != nil && t.ContainerID != "" {
				out = append(out, instance{cs.Name, t.ContainerID, init})
			}
			if cs.ContainerID != "" && (cs.State.Running != nil || cs.State.Terminated != nil) {
				out = append(out, instance{cs.Name, cs.ContainerID, init})
			}
		}
	}
	add(p.Status.InitContainerStatuses, true)
	add(p.Status.ContainerStatuses, false)
	return out
}

func (l *Logs) state(uid types.UID, c instance) instanceState {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.pods[uid]
	if p == nil {
		return instanceGone
	}
	for _, list := range [][]corev1.ContainerStatus{p.Status.InitContainerStatuses, p.Status.ContainerStatuses} {
		for _, cs := range list {
			if cs.Name != c.name {
				continue
			}
			switch {
			case cs.ContainerID == c.id && cs.State.Running != nil:
				return instanceRunning
			case cs.ContainerID == c.id:
				return instanceEnded
			case cs.LastTerminationState.Terminated != nil && cs.LastTerminationState.Terminated.ContainerID == c.id:
				return instancePrevious
			}
		}
	}
	return instanceGone
}

// follow prints one instance's log until the instance has ended and its
// last line is printed, the instance is gone, or ctx ends. Once Drain is
// called it stops following and reads the log one last time.
func (l *Logs) follow(ctx context.Context, uid types.UID, pod string, c instance) {
	var cur timeline.LogCursor
	delay := l.RetryDelay
	if delay == 0 {
		delay = time.Second
	}
	failures := 0
	// followEnded: a follow of this instance ended other than by Drain;
	// movedOn: the kubelet has a later instance than this one, which the
	// pod status read here does not show yet.
	followEnded, movedOn := false, false
	for ctx.Err() == nil {
		st := l.state(uid, c)
		if st == instanceGone {
			return
		}
		draining := l.draining()
		if st == instanceRunning && followEnded && !movedOn {
			movedOn = l.movedOn(ctx, uid, pod, c, cur.Last())
		}
		if st == instanceRunning && movedOn {
			// A read now would be served the later instance's log. Wait
			// for the status, then read this one's as an ended instance.
			if draining {
				return
			}
			l.pause(ctx, min(delay, 250*time.Millisecond))
			continue
		}
		opts := &corev1.PodLogOptions{Container: c.name, Timestamps: true,
			Follow: st == instanceRunning && !draining, Previous: st == instancePrevious}
		fromStart := cur.Last().IsZero()
		if !fromStart {
			opts.SinceTime = &metav1.Time{Time: cur.Last()}
		}
		first, err := l.readOnce(ctx, pod, c, opts, &cur, l.span(uid, c))
		if draining || (!opts.Follow && err == nil && st != instanceRunning) {
			if fromStart && err == nil && !draining {
				l.noteRotated(uid, pod, c, first)
			}
			return // the last read of a drain, or a complete read of an ended instance
		}
		if opts.Follow && l.draining() {
			continue // the drain ended the follow: make the last read now
		}
		followEnded = opts.Follow
		if err != nil {
			failures++
			if st != instanceRunning && failures >= 5 {
				return // the runtime no longer has this instance's log
			}
		} else {
			failures = 0
		}
		// A followed stream ends when the instance ends or the connection
		// drops; either way look at the pod again and read on from cur. The
		// pod's status may lag the end of the stream by a moment.
		wait := delay
		if err == nil {
			wait = min(delay, 250*time.Millisecond)
		}
		l.pause(ctx, wait)
	}
}

// pause waits d, or until ctx ends or Drain is called.
func (l *Logs) pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-l.drain.Done():
	case <-wallIfNil(l.Clock).After(d):
	}
}

// readOnce reads the log once; a followed read also ends when Drain is
// called. It returns the time of the instance's first line read (zero if none).
func (l *Logs) readOnce(ctx context.Context, pod string, c instance, opts *corev1.PodLogOptions, cur *timeline.LogCursor, win span) (time.Time, error) {
	if !opts.Follow {
		return l.read(ctx, pod, c, opts, cur, win)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(l.drain, cancel)
	defer stop()
	return l.read(rctx, pod, c, opts, cur, win)
}

func (l *Logs) read(ctx context.Context, pod string, c instance, opts *corev1.PodLogOptions, cur *timeline.LogCursor, win span) (first time.Time, err error) {
	cur.StartPass()
	err = l.scan(ctx, pod, opts, func(raw string) bool {
		if ts, ok := l.line(pod, c, raw, cur, win); ok && first.IsZero() {
			first = ts
		}
		return true
	})
	return first, err
}

// scan opens one log stream and hands each whole line, without its line
// break, to fn, until fn returns false. A line cut short by a broken or
// cancelled stream is left out: the next read from the cursor reads it
// again, whole.
func (l *Logs) scan(ctx context.Context, pod string, opts *corev1.PodLogOptions, fn func(raw string) bool) error {
	rc, err := l.Streamer.Stream(ctx, l.Namespace, pod, opts)
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64*1024)
	for {
		line, err := br.ReadString('\n')
		if line != "" && (err == nil || errors.Is(err, io.EOF)) && !fn(strings.TrimRight(line, "\r\n")) {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// line prints one raw line unless it was printed already, and reports its
// time and whether it is the instance's (within its span).
func (l *Logs) line(pod string, c instance, raw string, cur *timeline.LogCursor, win span) (time.Time, bool) {
	stamp, text, _ := strings.Cut(raw, " ")
	ts, err := time.Parse(time.RFC3339Nano, stamp)
	if err != nil { // not a timestamped line: keep it whole
		ts, text = wallIfNil(l.Clock).Now(), raw
	} else if !win.holds(ts) {
		return ts, false
	} else if !cur.Admit(ts) || !l.firstPrint(pod, c.name, ts, text) {
		return ts, true
	}
	l.Emit(timeline.Entry{Time: ts, Kind: timeline.KindLog, Namespace: l.Namespace, Pod: pod,
		Log: &timeline.LogInfo{Container: c.name, ContainerID: c.id, Init: c.init, Line: text}})
	return ts, true
}
