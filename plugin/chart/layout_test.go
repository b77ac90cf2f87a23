package chart

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func TestPlaceGroupsAndLaneOrder(t *testing.T) {
	r := &run{}
	// first seen: b-2, a-1, a-0 (a StatefulSet), postgres, c
	r.status(0, "svc-b-6d5b9c7f4-bbbbb", "Running", 0, true, 0)
	r.status(1, "svc-a-1", "Running", 0, true, 0)
	r.status(2, "svc-a-0", "Running", 0, true, 0)
	r.status(3, "postgres-6d5b9c7f4-pq8rs", "Running", 0, true, 0)
	r.status(4, "c", "Running", 0, true, 0)
	l := Place(Input{Lanes: timeline.Segments(r.entries, at(10)), Database: DemoDatabase})
	var got []string
	for _, g := range l.Groups {
		for _, lane := range g.Lanes {
			got = append(got, g.Name+"/"+lane.Pod)
		}
	}
	want := []string{"c/c", "svc-a/svc-a-1", "svc-a/svc-a-0", "svc-b/svc-b-6d5b9c7f4-bbbbb", "postgres/postgres-6d5b9c7f4-pq8rs"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("lanes = %v\nwant    %v", got, want)
	}
	lastY := 0.0
	for _, g := range l.Groups {
		for _, lane := range g.Lanes {
			if lane.Y < lastY+laneH {
				t.Errorf("lane %s at y=%v overlaps the one above at %v", lane.Pod, lane.Y, lastY)
			}
			lastY = lane.Y
		}
	}
	if l.Height < lastY+laneH {
		t.Errorf("height %v cuts the last lane at %v", l.Height, lastY)
	}
}

func TestPlaceScalesTime(t *testing.T) {
	entries := compareRun()
	l := Place(Input{Lanes: timeline.Segments(entries, at(100)), Database: DemoDatabase})
	if !l.Start.Equal(t0) || !l.End.Equal(at(100)) {
		t.Fatalf("axis %v..%v", l.Start, l.End)
	}
	px := plotW / 100 // per second
	init := lane(t, l, "webapp-7cc6d9f8b-x2x9q")
	s := init.Segments[0]
	if s.Status != "Init:0/1" || s.X != labelW || s.W != round1(64*px) {
		t.Errorf("Init:0/1 segment at x=%v w=%v, want %v w=%v", s.X, s.W, labelW, round1(64*px))
	}
	last := init.Segments[len(init.Segments)-1]
	if last.Class != timeline.ClassReady || last.X+last.W != labelW+plotW {
		t.Errorf("last segment %+v does not end at the plot's end %v", last, labelW+plotW)
	}
	var db, web *Line
	for i := range l.Lines {
		switch {
		case l.Lines[i].Database:
			db = &l.Lines[i]
		case l.Lines[i].Label == "webapp Ready 66.0 s":
			web = &l.Lines[i]
		}
	}
	if db == nil || db.X != round1(labelW+63*px) || db.Label != "database Ready 63.0 s" {
		t.Errorf("database line = %+v", db)
	}
	if web == nil || web.X != round1(labelW+66*px) {
		t.Errorf("webapp line = %+v in %+v", web, l.Lines)
	}
	for _, tk := range l.Ticks {
		if tk.X < labelW || tk.X > labelW+plotW {
			t.Errorf("tick %+v outside the plot", tk)
		}
	}
	if len(l.Ticks) != 11 || l.Ticks[1].Label != "10 s" {
		t.Errorf("ticks = %+v, want every 10 s", l.Ticks)
	}
	naive := lane(t, l, "webapp-naive-5f9c7d8b4-abcde")
	if len(naive.Restarts) < 2 || naive.Restarts[1].Title != "restart 2 at 36.0 s, after a back-off of 20.0 s" {
		t.Errorf("restarts = %+v", naive.Restarts)
	}
}

func lane(t *testing.T, l Layout, pod string) LaneView {
	t.Helper()
	for _, g := range l.Groups {
		for _, lane := range g.Lanes {
			if lane.Pod == pod {
				return lane
			}
		}
	}
	t.Fatalf("no lane %s", pod)
	return LaneView{}
}

// A STATUS shown for no time (two rows in the same instant) has no width:
// it is left out and its neighbours touch.
func TestPlaceZeroSecondStatus(t *testing.T) {
	r := &run{}
	r.status(0, "p", "Init:0/1", 0, false, 0).status(10, "p", "PodInitializing", 0, false, 0).
		status(10, "p", "Running", 0, false, 0).status(20, "p", "Running", 0, true, 0)
	l := Place(Input{Lanes: timeline.Segments(r.entries, at(20))})
	segs := l.Groups[0].Lanes[0].Segments
	if len(segs) != 2 || segs[0].Status != "Init:0/1" || segs[1].Status != "Running" {
		t.Fatalf("segments = %+v", segs)
	}
	if segs[0].X+segs[0].W != segs[1].X {
		t.Errorf("gap or overlap between %+v and %+v", segs[0], segs[1])
	}
	if segs[1].Title != "Running from 10.0 s to 20.0 s (10.0 s)" {
		t.Errorf("title %q", segs[1].Title)
	}
}

func TestPlaceFiveHundredPods(t *testing.T) {
	l := Place(Input{Lanes: timeline.Segments(manyPods(500), time.Time{})})
	if l.Lanes != 500 || len(l.Groups) != 7 {
		t.Fatalf("%d lanes in %d groups, want 500 in 7", l.Lanes, len(l.Groups))
	}
	want := topPad + axisH + 7*groupH + 500*(laneH+laneGap) + 8
	if l.Height != want {
		t.Errorf("height %v, want %v", l.Height, want)
	}
	for _, g := range l.Groups {
		for i := 1; i < len(g.Lanes); i++ {
			if g.Lanes[i].Segments[0].X < g.Lanes[i-1].Segments[0].X {
				t.Fatalf("group %s: lane %d first seen before lane %d", g.Name, i, i-1)
			}
		}
	}
}

// A day of a pod polling every 2 s and crash-looping every 5 minutes:
// the ticks stay few and the marks are thinned to a few hundred.
func TestPlaceDayLongRecording(t *testing.T) {
	r := &run{}
	const day = 24 * 3600
	r.status(0, "wait-0", "Init:0/1", 0, false, 0)
	for s := 1.0; s < day; s += 2 {
		r.log(s, "wait-0", "wait", "still waiting")
	}
	restarts := 0
	for s := 0.0; s+300 <= day; s += 300 {
		r.status(s, "loop-0", "Running", restarts, false, 0).status(s+30, "loop-0", "Error", restarts, false, 0)
		r.status(s+31, "loop-0", "CrashLoopBackOff", restarts, false, 5*time.Minute)
		restarts++
	}
	l := Place(Input{Lanes: timeline.Segments(r.entries, at(day))})
	if n := len(l.Ticks); n < 4 || n > 13 {
		t.Errorf("%d ticks: %+v", n, l.Ticks)
	}
	if got := l.Ticks[1].Label; got != "10000 s" {
		t.Errorf("tick step %s, want 10000 s", got)
	}
	wait := lane(t, l, "wait-0")
	if n := len(wait.Logs); float64(n) > plotW/markBucket+1 || n < 100 {
		t.Errorf("%d log marks for %d lines", n, day/2)
	}
	loop := lane(t, l, "loop-0")
	if len(loop.Restarts) != day/300-1 || len(loop.Segments) != 3*day/300 {
		t.Errorf("%d restarts, %d segments", len(loop.Restarts), len(loop.Segments))
	}
	for _, s := range loop.Segments {
		if s.W < 1 {
			t.Fatalf("segment %+v narrower than a pixel", s)
		}
	}
}

// Ready labels of close lines go to rows of their own; one at the right
// edge ends at its line.
func TestLabelRows(t *testing.T) {
	lines := []Line{{X: 1180, Label: "webapp-naive Ready 57.4 s"}, {X: 1000, Label: "database Ready 42.4 s"},
		{X: 1030, Label: "webapp-waitdb Ready 44.3 s"}, {X: 1060, Label: "webapp Ready 46.4 s"}, {X: 400, Label: "x Ready 1.0 s"}}
	labelRows(lines)
	got := map[string]Line{}
	for _, l := range lines {
		got[l.Label[:4]] = l
	}
	if got["x Re"].Row != 0 || got["data"].Row != 0 || got["weba"].Row == got["data"].Row {
		t.Errorf("rows = %+v", lines)
	}
	rows := map[int]bool{}
	for _, k := range []string{"data", "webapp-w", "webapp R", "webapp-n"} {
		for _, l := range lines {
			if strings.HasPrefix(l.Label, k) {
				if rows[l.Row] {
					t.Errorf("%q shares row %d with a close label: %+v", l.Label, l.Row, lines)
				}
				rows[l.Row] = true
			}
		}
	}
	crowded := append(append([]Line(nil), lines...), Line{X: 1010, Label: "fifth Ready 43.0 s"})
	labelRows(crowded)
	hidden := 0
	for _, l := range crowded {
		if l.Row == -1 {
			hidden++
		}
	}
	if hidden != 1 {
		t.Errorf("%d of five close labels not drawn, want 1: %+v", hidden, crowded)
	}
	for _, l := range lines {
		if l.Label == "webapp-naive Ready 57.4 s" && !l.LabelEnd {
			t.Errorf("label at the right edge not ended at its line: %+v", l)
		}
	}
}
