package compare

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

var t0 = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func status(sec float64, pod, st string, restarts int, ready bool, backOff time.Duration) timeline.Entry {
	return timeline.Entry{Time: at(sec), Kind: timeline.KindStatus, Pod: pod,
		Status: &timeline.StatusInfo{Status: st, Restarts: restarts, PodReady: ready, BackOff: backOff}}
}

func logLine(sec float64, pod, line string, init bool) timeline.Entry {
	return timeline.Entry{Time: at(sec), Kind: timeline.KindLog, Pod: pod, Log: &timeline.LogInfo{Line: line, Init: init}}
}

func TestCollectorMeasuresVariants(t *testing.T) {
	var passed int
	var watch timeline.Tracker // the watch summary, as stream.Run keeps it
	c := &Collector{
		GroupOf: func(pod string) string {
			if strings.HasPrefix(pod, "postgres-") {
				return Database
			}
			return DeploymentOfPod(pod)
		},
		Next: timeline.SinkFunc(func(timeline.Entry) error { passed++; return nil }),
	}
	const initPod, naivePod, dbPod = "webapp-7c-a", "webapp-naive-5d-b", "postgres-6f-c"
	for _, e := range []timeline.Entry{
		status(0, initPod, "Init:0/1", 0, false, 0),
		status(0, naivePod, "Error", 1, false, 0),
		logLine(1, naivePod, `level=FATAL msg="failed to start: ..."`, false),
		logLine(1, initPod, "waiting for database", true),
		status(2, naivePod, "CrashLoopBackOff", 1, false, 10*time.Second),
		logLine(3, initPod, "waiting for database", true),
		status(12, naivePod, "Error", 2, false, 0),
		status(13, naivePod, "CrashLoopBackOff", 2, false, 20*time.Second),
		status(20, dbPod, "Running", 0, true, 0),
		status(21, initPod, "PodInitializing", 0, false, 0),
		status(22, initPod, "Running", 0, true, 0),
		status(33, naivePod, "Running", 2, false, 0),
		status(35, naivePod, "Running", 2, true, 0),
		{Time: at(36), Kind: timeline.KindNotice, Notice: "ignored"},
	} {
		watch.Observe(e)
		if err := c.Emit(e); err != nil {
			t.Fatal(err)
		}
	}
	if passed != 14 {
		t.Errorf("passed on %d entries, want 14", passed)
	}
	dbReady, got := c.Results(watch.Summary(at(40)))
	if !dbReady.Equal(at(20)) {
		t.Errorf("database ready at %v", dbReady)
	}
	if len(got) != 2 || got[0].Variant != "webapp" || got[1].Variant != "webapp-naive" {
		t.Fatalf("variants = %+v", got)
	}
	init, naive := got[0], got[1]
	check := func(name string, got, want any) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("init restarts", init.Restarts, 0)
	check("init in init", init.InInit, 22*time.Second)
	check("init in crash", init.InCrash, time.Duration(0))
	check("init wait lines", init.WaitLogLines, 2)
	check("init ready after db", *init.ReadyAfterDB, 2*time.Second)
	check("init done after db", *init.InitDoneAfterDB, time.Second)
	check("naive has no init", naive.InitDoneAfterDB == nil, true)
	check("naive restarts", naive.Restarts, 2)
	check("naive in crash", naive.InCrash, 33*time.Second)
	check("naive back-off", naive.BackOffAtEnd, 20*time.Second)
	check("naive error lines", naive.ErrorLogLines, 1)
	check("naive ready after db", *naive.ReadyAfterDB, 15*time.Second)

	var text, js bytes.Buffer
	r := Report{Namespace: "ns", DatabaseReadyAt: dbReady, Variants: got}
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"VARIANT", "webapp-naive", "33s", "20s", "15.00s", "2.00s", "1.00s"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, text.String())
		}
	}
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil || decoded["kind"] != "compare" {
		t.Fatalf("json = %s (%v)", js.String(), err)
	}
}

func TestSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{2330 * time.Millisecond, "2.33s"},
		{2500 * time.Millisecond, "2.50s"},
		{-370 * time.Millisecond, "-0.37s"},
		{0, "0.00s"},
		{41*time.Second + 5*time.Millisecond, "41.01s"},
	} {
		if got := seconds(tt.d); got != tt.want {
			t.Errorf("seconds(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDeploymentOfPod(t *testing.T) {
	for pod, want := range map[string]string{
		"webapp-7cc6d9f8b-x2x9q": "webapp", "webapp-naive-5d8f-abcde": "webapp-naive", "solo": "", "a-b": "",
	} {
		if got := DeploymentOfPod(pod); got != want {
			t.Errorf("DeploymentOfPod(%q) = %q, want %q", pod, got, want)
		}
	}
}
