package chart

import (
	"fmt"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

// run builds a timeline entry by entry.
type run struct{ entries []timeline.Entry }

func (r *run) status(s float64, pod, st string, restarts int, ready bool, backOff time.Duration) *run {
	r.entries = append(r.entries, timeline.Entry{Time: at(s), Kind: timeline.KindStatus, Namespace: "ns", Pod: pod,
		Status: &timeline.StatusInfo{Status: st, Restarts: restarts, PodReady: ready, BackOff: backOff}})
	return r
}

func (r *run) log(s float64, pod, container, line string) *run {
	r.entries = append(r.entries, timeline.Entry{Time: at(s), Kind: timeline.KindLog, Namespace: "ns", Pod: pod,
		Log: &timeline.LogInfo{Container: container, Init: true, Line: line}})
	return r
}

func (r *run) event(s float64, pod, typ, reason, msg string) *run {
	r.entries = append(r.entries, timeline.Entry{Time: at(s), Kind: timeline.KindEvent, Namespace: "ns", Pod: pod,
		Event: &timeline.EventInfo{Type: typ, Reason: reason, Message: msg, Object: "Pod/" + pod}})
	return r
}

// compareRun is what compare sees with the database 60 s late: the init
// variant waits in Init:0/1, the naive one crash-loops with a growing back-off.
func compareRun() []timeline.Entry {
	const init, naive, db = "webapp-7cc6d9f8b-x2x9q", "webapp-naive-5f9c7d8b4-abcde", "postgres-6d5b9c7f4-pq8rs"
	r := &run{}
	r.status(0, init, "Init:0/1", 0, false, 0).status(0, naive, "ContainerCreating", 0, false, 0)
	for s := 1.0; s < 62; s += 2 {
		r.log(s, init, "check-db-ready", "postgres:5432 - no response")
	}
	r.status(2, naive, "Running", 0, false, 0)
	restarts, backOff := 0, 10*time.Second
	for s := 3.0; s < 60; {
		r.status(s, naive, "Error", restarts, false, 0)
		r.status(s+1, naive, "CrashLoopBackOff", restarts, false, backOff)
		r.event(s+1, naive, "Warning", "BackOff", "Back-off restarting failed container webapp")
		s += 1 + backOff.Seconds()
		restarts++
		r.status(s, naive, "Running", restarts, false, 0)
		s += 1
		backOff *= 2
	}
	r.status(60, db, "ContainerCreating", 0, false, 0).status(61, db, "Running", 0, false, 0).status(63, db, "Running", 0, true, 0)
	r.event(60, db, "Normal", "Scheduled", "Successfully assigned")
	r.status(64, init, "PodInitializing", 0, false, 0).status(65, init, "Running", 0, false, 0).status(66, init, "Running", 0, true, 0)
	r.status(80, naive, "Running", restarts, true, 0)
	return r.entries
}

// manyPods is n pods each Init:0/1 then Running, first seen in order.
func manyPods(n int) []timeline.Entry {
	r := &run{}
	for i := range n {
		pod := fmt.Sprintf("web-%03d-abcde-f%04d", i%7, i)
		r.status(float64(i)/10, pod, "Init:0/1", 0, false, 0).status(30+float64(i)/10, pod, "Running", 0, true, 0)
	}
	return r.entries
}
