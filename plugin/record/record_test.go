package record

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func entries() []timeline.Entry {
	return []timeline.Entry{
		{Time: t0, Kind: timeline.KindNotice, Namespace: "ns", Notice: "no pods match yet"},
		{Time: t0.Add(time.Second), Kind: timeline.KindStatus, Namespace: "ns", Pod: "p",
			Status: &timeline.StatusInfo{Status: "CrashLoopBackOff", Ready: "0/1", RestartsText: "2", Restarts: 2, TotalRestarts: 2,
				BackOff: 20 * time.Second, Container: "app"}},
		{Time: t0.Add(2 * time.Second), Kind: timeline.KindLog, Namespace: "ns", Pod: "p",
			Log: &timeline.LogInfo{Container: "wait", ContainerID: "containerd://1", Init: true, Line: `say "hi" <now> & then`}},
		{Time: t0.Add(3 * time.Second), Kind: timeline.KindEvent, Namespace: "ns", Pod: "p",
			Event: &timeline.EventInfo{Type: "Warning", Reason: "BackOff", Message: "Back-off", Count: 3, Object: "Pod/p"}},
		{Time: t0.Add(4 * time.Second), Kind: timeline.KindStatus, Namespace: "ns", Pod: "p",
			Status: &timeline.StatusInfo{Status: "Running", Ready: "1/1", RestartsText: "3", Restarts: 3, TotalRestarts: 3, PodReady: true}},
	}
}

// What a watch recorded (with its summary) and what compare printed
// after it read back as the same timeline.
func TestReadWhatWeWrite(t *testing.T) {
	var b bytes.Buffer
	var shown bytes.Buffer
	rec := NewRecorder(&b, "rec.jsonl", "ns", render.NewText(&shown, false))
	for _, e := range entries() {
		if err := rec.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	var tr timeline.Tracker
	for _, e := range entries() {
		tr.Observe(e)
	}
	if err := rec.Summary(t0.Add(5*time.Second), tr.Summary(t0.Add(5*time.Second))); err != nil {
		t.Fatal(err)
	}
	ready := 1.5
	rep := compare.Report{Namespace: "ns", DatabaseReadyAt: t0.Add(time.Second),
		Variants: []compare.Measure{{Variant: "webapp", Restarts: 3, InCrashSeconds: 12.5, ReadyAfterDBSeconds: &ready, Ready: true}}}
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown.String(), "CrashLoopBackOff") || !strings.Contains(shown.String(), "summary") {
		t.Errorf("the normal output did not go on:\n%s", shown.String())
	}
	got, err := Read(&b)
	if err != nil {
		t.Fatal(err)
	}
	want := entries()
	if len(got.Entries) != len(want) {
		t.Fatalf("read %d entries, want %d", len(got.Entries), len(want))
	}
	for i := range want {
		if g, w := jsonOf(t, got.Entries[i]), jsonOf(t, want[i]); g != w {
			t.Errorf("entry %d:\n got %s\nwant %s", i, g, w)
		}
	}
	if len(got.Summary) != 1 || got.Summary[0].Restarts != 3 || got.Summary[0].InStatus[0].Duration != 3*time.Second ||
		!got.SummaryAt.Equal(t0.Add(5*time.Second)) {
		t.Errorf("summary = %+v at %v", got.Summary, got.SummaryAt)
	}
	if got.Compare == nil || got.Compare.Variants[0].InCrash != 12500*time.Millisecond ||
		*got.Compare.Variants[0].ReadyAfterDB != 1500*time.Millisecond || !got.Compare.DatabaseReadyAt.Equal(t0.Add(time.Second)) {
		t.Errorf("compare = %+v", got.Compare)
	}
	if got.Namespace != "ns" {
		t.Errorf("namespace %q", got.Namespace)
	}
}

// jsonOf is e as -o json prints it.
func jsonOf(t *testing.T, e timeline.Entry) string {
	t.Helper()
	var b bytes.Buffer
	if err := render.NewJSON(&b).Emit(e); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReadBadInput(t *testing.T) {
	ok := `{"time":"2026-11-27T12:00:00Z","kind":"status","namespace":"ns","pod":"p","status":"Running"}`
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "no JSON lines of kubectl initwait"},
		{"blank lines only", "\n  \n", "no JSON lines of kubectl initwait"},
		{"text output", ok + "\n12:00:01.000 status p  Running\n", "line 2: not a JSON line of kubectl initwait"},
		{"cut short", ok + "\n" + ok[:40] + "\n", "line 2: not a JSON line"},
		{"unknown kind", ok + "\n\n" + `{"time":"2026-11-27T12:00:00Z","kind":"pod"}`, `line 3: unknown kind "pod"`},
		{"no kind", `{"time":"2026-11-27T12:00:00Z"}`, `line 1: no "kind"`},
		{"bad time", `{"time":"noon","kind":"status","pod":"p","status":"Running"}`, `line 1: invalid time "noon"`},
		{"status without pod", `{"time":"2026-11-27T12:00:00Z","kind":"status","status":"Running"}`, `line 1: a status line needs "pod"`},
		{"log without line", `{"time":"2026-11-27T12:00:00Z","kind":"log","pod":"p"}`, `line 1: a log line needs "line"`},
		{"wrong type", `{"time":"2026-11-27T12:00:00Z","kind":"status","pod":"p","status":"Running","restarts":"two"}`, `line 1: not a JSON line of kubectl initwait: field "restarts" has the wrong type (string)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error has more than one line: %q", err)
			}
		})
	}
}
