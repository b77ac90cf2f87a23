package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var at = time.Date(2026, 11, 27, 12, 4, 5, 120e6, time.UTC)

func entries() []timeline.Entry {
	return []timeline.Entry{
		{Time: at, Kind: timeline.KindStatus, Namespace: "demo", Pod: "webapp-1",
			Status: &timeline.StatusInfo{Status: "Init:0/1", Ready: "0/1", RestartsText: "0", Blocking: "check-db-ready", BlockedFor: 12 * time.Second}},
		{Time: at, Kind: timeline.KindLog, Namespace: "demo", Pod: "webapp-1",
			Log: &timeline.LogInfo{Container: "check-db-ready", ContainerID: "containerd://abc", Init: true, Line: "waiting for database"}},
		{Time: at, Kind: timeline.KindEvent, Namespace: "demo", Pod: "webapp-naive-1",
			Event: &timeline.EventInfo{Type: "Warning", Reason: "BackOff", Message: "Back-off restarting failed container", Count: 5, Object: "pod/webapp-naive-1"}},
		{Time: at, Kind: timeline.KindStatus, Namespace: "demo", Pod: "webapp-naive-1",
			Status: &timeline.StatusInfo{Status: "CrashLoopBackOff", Ready: "0/1", RestartsText: "3 (10s ago)", Restarts: 3, BackOff: 40 * time.Second, Container: "go-url-shortener"}},
		{Time: at, Kind: timeline.KindEvent, Namespace: "demo",
			Event: &timeline.EventInfo{Type: "Normal", Reason: "ScalingReplicaSet", Message: "Scaled up", Count: 1, Object: "deployment/webapp"}},
		{Time: at, Kind: timeline.KindNotice, Namespace: "demo", Notice: "no pods match deployment/webapp yet"},
	}
}

func TestTextLines(t *testing.T) {
	var b bytes.Buffer
	r := NewText(&b, false)
	r.Layout = "15:04:05.000"
	r.SetColumns(timeline.Columns{Pod: len("webapp-naive-1")})
	for _, e := range entries() {
		if err := r.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"status webapp-1        Init:0/1          ready 0/1  restarts 0  (check-db-ready for 12s)",
		"log    webapp-1        check-db-ready | waiting for database",
		"event  webapp-naive-1  Warning BackOff ×5: Back-off restarting failed container",
		"status webapp-naive-1  CrashLoopBackOff  ready 0/1  restarts 3 (10s ago)  (go-url-shortener back-off 40s after 3 restarts)",
		"event  deploy/webapp   Normal ScalingReplicaSet: Scaled up",
		"note   no pods match deployment/webapp yet",
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), b.String())
	}
	for i, l := range lines {
		_, rest, _ := strings.Cut(l, " ")
		if rest != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, rest, want[i])
		}
		if strings.Contains(l, "\x1b[") {
			t.Errorf("line %d has colour codes with colour off", i)
		}
	}
}

func TestTextColour(t *testing.T) {
	var b bytes.Buffer
	if err := NewText(&b, true).Emit(entries()[0]); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\x1b[") {
		t.Fatalf("no colour codes with colour on: %q", b.String())
	}
}

func TestUseColor(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	var buf bytes.Buffer
	tests := []struct {
		mode ColorMode
		env  map[string]string
		want bool
	}{
		{ColorAlways, map[string]string{"NO_COLOR": "1"}, true},
		{ColorNever, nil, false},
		{ColorAuto, nil, false}, // a buffer is not a terminal
		{ColorAuto, map[string]string{"NO_COLOR": "1"}, false},
	}
	for _, tt := range tests {
		if got := UseColor(tt.mode, &buf, env(tt.env)); got != tt.want {
			t.Errorf("UseColor(%s, %v) = %v, want %v", tt.mode, tt.env, got, tt.want)
		}
	}
	if _, err := ParseColorMode("rainbow"); err == nil {
		t.Error("ParseColorMode accepted rainbow")
	}
}

func TestJSONSchema(t *testing.T) {
	var b bytes.Buffer
	r := NewJSON(&b)
	for _, e := range entries() {
		if err := r.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	dec := json.NewDecoder(&b)
	var got []map[string]any
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	checks := []map[string]any{
		{"kind": "status", "namespace": "demo", "pod": "webapp-1", "status": "Init:0/1", "ready": "0/1", "restarts": 0.0,
			"blockingContainer": "check-db-ready", "blockedSeconds": 12.0, "time": "2026-11-27T12:04:05.12Z"},
		{"kind": "log", "container": "check-db-ready", "line": "waiting for database", "init": true, "containerID": "containerd://abc"},
		{"kind": "event", "type": "Warning", "reason": "BackOff", "count": 5.0, "message": "Back-off restarting failed container"},
		{"kind": "status", "restarts": 3.0, "backOffSeconds": 40.0, "status": "CrashLoopBackOff", "container": "go-url-shortener"},
		{"kind": "event", "object": "deployment/webapp"},
		{"kind": "notice", "message": "no pods match deployment/webapp yet"},
	}
	if len(got) != len(checks) {
		t.Fatalf("got %d lines", len(got))
	}
	for i, want := range checks {
		for k, v := range want {
			if got[i][k] != v {
				t.Errorf("line %d: %s = %#v, want %#v", i, k, got[i][k], v)
			}
		}
	}
}

// A crash-looping init container names its container in JSON too, and the
// summary line carries the namespace; one restart is singular in text.
func TestBackOffContainerAndSummaryNamespace(t *testing.T) {
	e := timeline.Entry{Time: at, Kind: timeline.KindStatus, Namespace: "demo", Pod: "p",
		Status: &timeline.StatusInfo{Status: "Init:CrashLoopBackOff", Ready: "0/1", RestartsText: "1 (2s ago)", Restarts: 1,
			Blocking: "check", BackOff: 10 * time.Second, Container: "check"}}
	l, err := Line(e)
	if err != nil {
		t.Fatal(err)
	}
	if l.Container != "check" || l.Blocking != "check" {
		t.Errorf("container = %q, blockingContainer = %q", l.Container, l.Blocking)
	}
	var b bytes.Buffer
	if err := NewText(&b, false).Emit(e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "check back-off 10s after 1 restart)") {
		t.Errorf("text = %q", b.String())
	}
	b.Reset()
	j := NewJSON(&b)
	j.Namespace = "demo"
	if err := j.Summary(at, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"namespace":"demo"`) {
		t.Errorf("summary = %s", b.String())
	}
	b.Reset()
	if err := NewJSON(&b).Summary(at, []timeline.PodSummary{{Pod: "p", Namespace: "other"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"kind":"summary","namespace":"other"`) {
		t.Errorf("summary = %s", b.String())
	}
}

func TestSummaryTable(t *testing.T) {
	var b bytes.Buffer
	ready := 6.5
	err := NewText(&b, false).Summary(at, []timeline.PodSummary{{Pod: "webapp-1", Status: "Running", Restarts: 0,
		TimeToReady: 6500 * time.Millisecond, TimeToReadySeconds: &ready,
		InStatus: []timeline.StatusTime{{Status: "Init:0/1", Duration: 4 * time.Second}, {Status: "Running", Duration: 2 * time.Second}}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"POD", "TIME TO READY", "webapp-1", "Running", "7s", "Init:0/1 4s, Running 2s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		850 * time.Millisecond: "850ms", 12 * time.Second: "12s", 252 * time.Second: "4m12s", 75 * time.Minute: "1h15m",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}
