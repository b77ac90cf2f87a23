// Package compare measures, from the timeline, what each webapp variant of
// the demo went through while its database arrived late: restarts, time in
// Error/CrashLoopBackOff and in Init, the back-off reached, error log lines,
// and the time from "database Ready" to "webapp Ready". Restarts and time
// per status are the watch summary's (timeline.Tracker), so the report and
// the summary agree. It knows nothing about cobra or client-go: it is a
// timeline.Sink.
package compare

import (
	"sort"
	"strings"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// Database is the group name of the database's pods.
const Database = "database"

// Measure is what one variant (one Deployment) went through.
type Measure struct {
	Variant       string        `json:"variant"`
	Pods          int           `json:"pods"`
	Restarts      int           `json:"restarts"`
	InCrash       time.Duration `json:"-"`
	InInit        time.Duration `json:"-"`
	BackOffAtEnd  time.Duration `json:"-"`
	ErrorLogLines int           `json:"errorLogLines"`
	WaitLogLines  int           `json:"initLogLines"`
	ReadyAt       time.Time     `json:"readyAt,omitzero"`
	// ReadyAfterDB is ReadyAt minus the database's Ready time; set when both are known.
	ReadyAfterDB *time.Duration `json:"-"`
	// InitDoneAfterDB is when the last pod left Init (its init containers
	// done) minus the database's Ready time: the poll of the init container
	// without the app's start and readiness. Negative when the init
	// container got through before the database's own probe said Ready.
	InitDoneAfterDB *time.Duration `json:"-"`

	InCrashSeconds      float64  `json:"secondsInErrorOrCrashLoop"`
	InInitSeconds       float64  `json:"secondsInInit"`
	BackOffSeconds      float64  `json:"backOffAtEndSeconds"`
	ReadyAfterDBSeconds *float64 `json:"readyAfterDatabaseSeconds,omitempty"`
	InitDoneAfterDBSecs *float64 `json:"initDoneAfterDatabaseSeconds,omitempty"`
	Ready               bool     `json:"ready"`
}

// podState is what the collector saw of one pod beyond what the watch
// summary counts.
type podState struct {
	group   string
	status  string
	backOff time.Duration
	ready   bool
	readyAt time.Time
	// initDoneAt is when the pod was first seen out of Init after being in it.
	initDoneAt time.Time
}

// Collector is a timeline.Sink that records, per pod, what the watch
// summary does not (readiness as seen, the end of Init, the back-off) and
// counts log lines per group, passing every entry on to Next. Restarts and
// time per status come from the watch's own per-pod summaries
// (timeline.Tracker), given to Results, so that the report and the watch
// summary never disagree about a pod.
type Collector struct {
	// GroupOf maps a pod name to its variant (Deployment name) or Database;
	// pods mapped to "" are not measured.
	GroupOf func(pod string) string
	Next    timeline.Sink

	pods   map[string]*podState
	errs   map[string]int
	waits  map[string]int
	groups map[string]bool
}

// Emit records e and passes it on.
func (c *Collector) Emit(e timeline.Entry) error {
	c.observe(e)
	if c.Next == nil {
		return nil
	}
	return c.Next.Emit(e)
}

func (c *Collector) observe(e timeline.Entry) {
	if c.pods == nil {
		c.pods, c.groups, c.errs, c.waits = map[string]*podState{}, map[string]bool{}, map[string]int{}, map[string]int{}
	}
	group := c.GroupOf(e.Pod)
	if group == "" {
		return
	}
	c.groups[group] = true
	switch e.Kind {
	case timeline.KindStatus:
		s := e.Status
		p := c.pods[e.Pod]
		if p == nil {
			p = &podState{group: group}
			c.pods[e.Pod] = p
		}
		if bucket(p.status) == bucketInit && !strings.HasPrefix(s.Status, "Init:") && p.initDoneAt.IsZero() {
			p.initDoneAt = e.Time
		}
		p.status = s.Status
		if s.BackOff > 0 {
			p.backOff = s.BackOff
		}
		if s.PodReady && !p.ready {
			p.ready, p.readyAt = true, e.Time
		}
		if s.Deleted {
			p.status = ""
		}
	case timeline.KindLog:
		if e.Log.Init {
			c.waits[group]++
		} else if isErrorLine(e.Log.Line) {
			c.errs[group]++
		}
	}
}

const (
	bucketCrash = "crash"
	bucketInit  = "init"
)

// bucket says which measured span a STATUS belongs to, if any.
func bucket(status string) string {
	switch {
	case status == "Error" || status == "CrashLoopBackOff":
		return bucketCrash
	case strings.HasPrefix(status, "Init:") || status == "PodInitializing":
		return bucketInit
	}
	return ""
}

// isErrorLine reports whether an app log line is an error: slog's
// level=ERROR/FATAL, or a Go panic.
func isErrorLine(l string) bool {
	return strings.Contains(l, "level=ERROR") || strings.Contains(l, "level=FATAL") || strings.HasPrefix(l, "panic:")
}

// Results returns one Measure per variant, sorted by name. Restarts and
// the time in Error/CrashLoopBackOff and in Init are the sums over the
// variant's pods of the watch's per-pod summaries (timeline.Tracker's: total
// restarts over init and app containers, which survive kubectl's RESTARTS
// cell switching counts or a pod being replaced); a variant is Ready when
// every pod of it still present was seen Ready. The database's Ready time
// is the anchor of ReadyAfterDB.
func (c *Collector) Results(pods []timeline.PodSummary) (dbReadyAt time.Time, out []Measure) {
	byGroup := map[string]*Measure{}
	for g := range c.groups {
		if g != Database {
			byGroup[g] = &Measure{Variant: g, Ready: true}
		}
	}
	for _, p := range c.pods {
		if p.group == Database && p.ready && (dbReadyAt.IsZero() || p.readyAt.Before(dbReadyAt)) {
			dbReadyAt = p.readyAt
		}
	}
	initDone := map[string]time.Time{}
	for _, s := range pods {
		p, m := c.pods[s.Pod], byGroup[c.GroupOf(s.Pod)]
		if p == nil || m == nil {
			continue // not measured, or the database
		}
		m.Pods++
		m.Restarts += s.Restarts
		for _, st := range s.InStatus {
			switch bucket(st.Status) {
			case bucketCrash:
				m.InCrash += st.Duration
			case bucketInit:
				m.InInit += st.Duration
			}
		}
		m.BackOffAtEnd = max(m.BackOffAtEnd, p.backOff)
		m.Ready = m.Ready && (p.ready || s.Deleted)
		if p.readyAt.After(m.ReadyAt) {
			m.ReadyAt = p.readyAt
		}
		if p.initDoneAt.After(initDone[m.Variant]) {
			initDone[m.Variant] = p.initDoneAt
		}
	}
	for g, m := range byGroup {
		m.ErrorLogLines, m.WaitLogLines = c.errs[g], c.waits[g]
		m.InCrashSeconds, m.InInitSeconds, m.BackOffSeconds = secs(m.InCrash), secs(m.InInit), secs(m.BackOffAtEnd)
		if !m.Ready || m.Pods == 0 {
			m.Ready, m.ReadyAt = false, time.Time{}
		}
		if m.Ready && !dbReadyAt.IsZero() {
			m.ReadyAfterDB, m.ReadyAfterDBSeconds = since(m.ReadyAt, dbReadyAt)
		}
		if t := initDone[g]; !t.IsZero() && !dbReadyAt.IsZero() {
			m.InitDoneAfterDB, m.InitDoneAfterDBSecs = since(t, dbReadyAt)
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Variant < out[j].Variant })
	return dbReadyAt, out
}

// since is t minus anchor, as a duration and in seconds.
func since(t, anchor time.Time) (*time.Duration, *float64) {
	d := t.Sub(anchor)
	s := secs(d)
	return &d, &s
}

func secs(d time.Duration) float64 {
	return float64(d.Round(10*time.Millisecond)) / float64(time.Second)
}

// DeploymentOfPod returns the Deployment a pod name belongs to when it has
// the form NAME-<replicaset hash>-<suffix>, else "".
func DeploymentOfPod(pod string) string {
	i := strings.LastIndexByte(pod, '-')
	if i <= 0 {
		return ""
	}
	j := strings.LastIndexByte(pod[:i], '-')
	if j <= 0 {
		return ""
	}
	return pod[:j]
}
