package timeline

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func ts(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func TestLogCursorPrintsEveryLineOnce(t *testing.T) {
	tests := []struct {
		name   string
		passes [][]int // timestamps in ms, one slice per read of the log
		want   int     // lines admitted in total
	}{
		{"single pass", [][]int{{1, 2, 3}}, 3},
		{"re-read from start", [][]int{{1, 2}, {1, 2, 3, 4}}, 4},
		{"re-read from the same second", [][]int{{1000, 1500}, {1000, 1500, 1700}}, 3},
		{"same timestamp twice, cut between them", [][]int{{5, 5}, {5, 5, 5, 6}}, 4},
		{"same timestamp, first pass saw one", [][]int{{5}, {5, 5}}, 2},
		{"nothing new", [][]int{{1, 2, 3}, {1, 2, 3}}, 3},
		{"older lines never again", [][]int{{10}, {1, 2, 10, 11}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c LogCursor
			got := 0
			for _, pass := range tt.passes {
				c.StartPass()
				for _, ms := range pass {
					if c.Admit(ts(ms)) {
						got++
					}
				}
			}
			if got != tt.want {
				t.Fatalf("admitted %d lines, want %d", got, tt.want)
			}
		})
	}
}

func TestEventCounter(t *testing.T) {
	var c EventCounter
	steps := []struct {
		key   string
		count int32
		want  bool
	}{
		{"a", 1, true}, {"a", 1, false}, {"a", 2, true}, {"b", 0, true}, {"b", 1, false},
		{"a", 5, true}, {"a", 4, false},
	}
	for i, s := range steps {
		if got := c.Observe(s.key, s.count); got != s.want {
			t.Fatalf("step %d: Observe(%q, %d) = %v, want %v", i, s.key, s.count, got, s.want)
		}
	}
}

func TestTrackerSummary(t *testing.T) {
	var tr Tracker
	st := func(ms int, status string, restarts int, ready bool) Entry {
		s := &StatusInfo{Status: status, Restarts: restarts, PodReady: ready, Created: t0}
		if ready {
			s.ReadyAt = ts(ms)
		}
		return Entry{Time: ts(ms), Kind: KindStatus, Namespace: "ns", Pod: "p", Status: s}
	}
	for _, e := range []Entry{
		st(0, "Init:0/1", 0, false),
		{Time: ts(500), Kind: KindLog, Pod: "p", Log: &LogInfo{Line: "x"}},
		st(4000, "PodInitializing", 0, false),
		st(5000, "Running", 0, false),
		st(6500, "Running", 0, true),
	} {
		tr.Observe(e)
	}
	sum := tr.Summary(ts(7000))
	if len(sum) != 1 {
		t.Fatalf("got %d summaries", len(sum))
	}
	s := sum[0]
	want := map[string]float64{"Init:0/1": 4, "PodInitializing": 1, "Running": 2}
	if len(s.InStatus) != len(want) {
		t.Fatalf("InStatus = %+v", s.InStatus)
	}
	for _, it := range s.InStatus {
		if want[it.Status] != it.Seconds {
			t.Errorf("%s: %vs, want %vs", it.Status, it.Seconds, want[it.Status])
		}
	}
	if s.InStatus[0].Status != "Init:0/1" || s.InStatus[2].Status != "Running" {
		t.Errorf("order = %+v", s.InStatus)
	}
	if s.TimeToReadySeconds == nil || *s.TimeToReadySeconds != 6.5 || !s.Ready {
		t.Errorf("time to ready = %v ready=%v", s.TimeToReadySeconds, s.Ready)
	}
}

// kubectl's RESTARTS cell counts the init containers' restarts while the
// pod initialises and the app containers' afterwards: the summary reports
// the pod's total instead.
func TestTrackerRestartsSurviveTheCellReset(t *testing.T) {
	var tr Tracker
	st := func(ms int, status string, cell, total int) Entry {
		return Entry{Time: ts(ms), Kind: KindStatus, Namespace: "ns", Pod: "p",
			Status: &StatusInfo{Status: status, Restarts: cell, TotalRestarts: total}}
	}
	tr.Observe(st(0, "Init:Error", 2, 2))
	tr.Observe(st(100, "Init:CrashLoopBackOff", 3, 3))
	tr.Observe(st(200, "Running", 0, 3))
	if got := tr.Summary(ts(300))[0].Restarts; got != 3 {
		t.Fatalf("restarts = %d, want 3", got)
	}
	tr.ObserveRestarts("ns", "p", 4)
	if got := tr.Summary(ts(300))[0].Restarts; got != 4 {
		t.Fatalf("restarts after ObserveRestarts = %d, want 4", got)
	}
}
