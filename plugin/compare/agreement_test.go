package compare

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

// cell is a status entry with both restart counts: kubectl's RESTARTS
// cell and the pod's total over its init and app containers.
func cell(sec float64, pod, st string, cell, total int, ready, deleted bool) timeline.Entry {
	return timeline.Entry{Time: at(sec), Kind: timeline.KindStatus, Namespace: "ns", Pod: pod,
		Status: &timeline.StatusInfo{Status: st, Restarts: cell, TotalRestarts: total, PodReady: ready, Deleted: deleted}}
}

// TestReportAgreesWithTheWatchSummary feeds the same entries to the watch
// summary (timeline.Tracker, printed by the JSON renderer as watch prints
// it) and to compare, and checks that both count the same restarts and
// time in Error/CrashLoopBackOff and in Init for every variant, where
// kubectl's RESTARTS cell goes back: from the init container's count to
// the app's once init is done, and to 0 in the pod that replaces a
// crash-looping one.
func TestReportAgreesWithTheWatchSummary(t *testing.T) {
	const initPod, naiveOld, naiveNew, dbPod = "webapp-7c-a", "webapp-naive-5d-b", "webapp-naive-5d-c", "postgres-6f-d"
	entries := []timeline.Entry{
		cell(0, initPod, "Init:0/1", 0, 0, false, false),
		cell(1, initPod, "Init:Error", 1, 1, false, false),
		cell(2, initPod, "Init:CrashLoopBackOff", 1, 1, false, false),
		cell(12, initPod, "Init:0/1", 2, 2, false, false),
		cell(0, naiveOld, "Error", 1, 1, false, false),
		cell(2, naiveOld, "CrashLoopBackOff", 1, 1, false, false),
		cell(12, naiveOld, "Error", 2, 2, false, false),
		cell(14, naiveOld, "CrashLoopBackOff", 2, 2, false, false),
		cell(15, naiveOld, "Terminating", 2, 2, false, false),
		cell(16, naiveOld, "Terminating", 2, 2, false, true),
		cell(16, naiveNew, "Running", 0, 0, false, false),
		cell(20, dbPod, "Running", 0, 0, true, false),
		cell(21, initPod, "PodInitializing", 0, 2, false, false), // the cell now counts the app container
		cell(22, initPod, "Running", 0, 2, true, false),
		cell(23, naiveNew, "Running", 0, 0, true, false),
	}
	var watch timeline.Tracker
	var out bytes.Buffer
	c := &Collector{GroupOf: func(pod string) string {
		if d := DeploymentOfPod(pod); d != "postgres" {
			return d
		}
		return Database
	}, Next: render.NewJSON(&out)}
	for _, e := range entries { // as stream.Run does: the summary observes, then the sink
		watch.Observe(e)
		if err := c.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	now := at(30)
	pods := watch.Summary(now)
	if err := render.NewJSON(&out).Summary(now, pods); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var printed struct{ Pods []timeline.PodSummary }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &printed); err != nil || len(printed.Pods) != 4 {
		t.Fatalf("summary line %q: %v", lines[len(lines)-1], err)
	}
	type counts struct {
		restarts        int
		inCrash, inInit float64
	}
	summed := map[string]counts{} // what the watch summary says, per variant
	for _, p := range printed.Pods {
		v := DeploymentOfPod(p.Pod)
		seconds := map[string]float64{} // by span: crash, init or ""
		for _, st := range p.InStatus {
			seconds[bucket(st.Status)] += st.Seconds
		}
		s := summed[v]
		s.restarts += p.Restarts
		s.inCrash += seconds[bucketCrash]
		s.inInit += seconds[bucketInit]
		summed[v] = s
	}
	_, measures := c.Results(pods)
	want := map[string]counts{ // also by hand, so that agreeing on a wrong count fails
		"webapp":       {restarts: 2, inCrash: 0, inInit: 22},
		"webapp-naive": {restarts: 2, inCrash: 15},
	}
	if len(measures) != len(want) {
		t.Fatalf("measures = %+v", measures)
	}
	for _, m := range measures {
		got := counts{restarts: m.Restarts, inCrash: m.InCrashSeconds, inInit: m.InInitSeconds}
		s := summed[m.Variant]
		if got != s {
			t.Errorf("%s: compare counts %+v, the watch summary %+v", m.Variant, got, s)
		}
		if got != want[m.Variant] {
			t.Errorf("%s: compare counts %+v, want %+v", m.Variant, got, want[m.Variant])
		}
		if !m.Ready {
			t.Errorf("%s not Ready: the pod replaced before it was Ready must not count", m.Variant)
		}
	}
}

// TestResultsWithoutEntries: no entries, no variants, no panic.
func TestResultsWithoutEntries(t *testing.T) {
	c := &Collector{GroupOf: DeploymentOfPod}
	if db, got := c.Results(nil); !db.IsZero() || len(got) != 0 {
		t.Errorf("Results = %v, %+v", db, got)
	}
}
