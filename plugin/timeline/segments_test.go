package timeline

import (
	"testing"
	"time"
)

func status(ms int, pod, st string, restarts int, ready bool, backOff time.Duration) Entry {
	return Entry{Time: ts(ms), Kind: KindStatus, Namespace: "ns", Pod: pod,
		Status: &StatusInfo{Status: st, Restarts: restarts, PodReady: ready, BackOff: backOff}}
}

func TestSegments(t *testing.T) {
	entries := []Entry{
		status(0, "naive", "ContainerCreating", 0, false, 0),
		status(1000, "naive", "Error", 0, false, 0),
		status(1000, "init", "Init:0/1", 0, false, 0), // a second pod, first seen later
		status(2000, "naive", "CrashLoopBackOff", 0, false, 10*time.Second),
		{Time: ts(2500), Kind: KindLog, Namespace: "ns", Pod: "init", Log: &LogInfo{Container: "wait", Init: true, Line: "waiting"}},
		{Time: ts(2600), Kind: KindLog, Namespace: "ns", Pod: "naive", Log: &LogInfo{Container: "app", Line: "app line: no mark"}},
		status(12000, "naive", "Running", 1, false, 0),
		status(13000, "naive", "Error", 1, false, 0),
		status(14000, "naive", "CrashLoopBackOff", 1, false, 20*time.Second),
		{Time: ts(1500), Kind: KindEvent, Namespace: "ns", Pod: "naive", Event: &EventInfo{Type: "Warning", Reason: "BackOff", Message: "m"}},
		status(34000, "naive", "Running", 2, false, 0),
		status(35000, "naive", "Running", 2, true, 0),
		status(20000, "init", "Running", 0, false, 0),
		status(20000, "init", "Running", 0, true, 0), // 0 s not Ready
		status(40000, "gone", "Running", 0, false, 0),
		status(41000, "gone", "Terminating", 0, false, 0),
		{Time: ts(42000), Kind: KindStatus, Namespace: "ns", Pod: "gone", Status: &StatusInfo{Status: "Terminating", Deleted: true}},
		{Time: ts(43000), Kind: KindEvent, Namespace: "ns", Pod: "events-only", Event: &EventInfo{Type: "Normal"}},
	}
	lanes := Segments(entries, ts(50000))
	if len(lanes) != 3 {
		t.Fatalf("got %d lanes, want naive, init, gone: %+v", len(lanes), lanes)
	}
	naive, init, gone := lanes[0], lanes[1], lanes[2]
	if naive.Pod != "naive" || init.Pod != "init" || gone.Pod != "gone" {
		t.Fatalf("lane order %s %s %s", naive.Pod, init.Pod, gone.Pod)
	}
	var got []string
	for _, s := range naive.Segments {
		got = append(got, s.Status+"@"+s.Start.Sub(t0).String()+"-"+s.End.Sub(t0).String())
	}
	want := []string{"ContainerCreating@0s-1s", "Error@1s-2s", "CrashLoopBackOff@2s-12s", "Running@12s-13s",
		"Error@13s-14s", "CrashLoopBackOff@14s-34s", "Running@34s-35s", "Running@35s-50s"}
	if len(got) != len(want) {
		t.Fatalf("naive segments = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d = %s, want %s", i, got[i], want[i])
		}
	}
	if !naive.Segments[7].Ready || naive.Segments[6].Ready {
		t.Errorf("Ready split wrong: %+v", naive.Segments[6:])
	}
	if len(naive.Restarts) != 2 || naive.Restarts[0].BackOff != 10*time.Second || naive.Restarts[1].BackOff != 20*time.Second ||
		naive.Restarts[1].Count != 2 || !naive.Restarts[1].Time.Equal(ts(34000)) {
		t.Errorf("restarts = %+v", naive.Restarts)
	}
	if !naive.ReadyAt.Equal(ts(35000)) || !init.ReadyAt.Equal(ts(20000)) {
		t.Errorf("ReadyAt naive %v init %v", naive.ReadyAt, init.ReadyAt)
	}
	if len(naive.Marks) != 1 || !naive.Marks[0].Warning || len(init.Marks) != 1 || init.Marks[0].Text != "wait | waiting" {
		t.Errorf("marks naive %+v init %+v", naive.Marks, init.Marks)
	}
	if d := init.Segments[1].Duration(); d != 0 || init.Segments[1].Ready {
		t.Errorf("init's 0 s not-Ready Running = %+v", init.Segments[1])
	}
	if !gone.Deleted || gone.Segments[len(gone.Segments)-1].End != ts(42000) {
		t.Errorf("deleted pod not cut at its deletion: %+v", gone)
	}
}

func TestClassOf(t *testing.T) {
	tests := []struct {
		status string
		ready  bool
		want   StatusClass
	}{
		{"Init:0/1", false, ClassInit},
		{"Init:Error", false, ClassError},
		{"Init:CrashLoopBackOff", false, ClassCrashLoop},
		{"CrashLoopBackOff", false, ClassCrashLoop},
		{"Error", false, ClassError},
		{"ImagePullBackOff", false, ClassError},
		{"Running", false, ClassRunning},
		{"Running", true, ClassReady},
		{"PodInitializing", false, ClassStarting},
		{"ContainerCreating", false, ClassStarting},
		{"Completed", false, ClassCompleted},
		{"Terminating", false, ClassOther},
	}
	for _, tt := range tests {
		if got := ClassOf(tt.status, tt.ready); got != tt.want {
			t.Errorf("ClassOf(%q, %v) = %v, want %v", tt.status, tt.ready, got, tt.want)
		}
	}
}
