//go:build e2e

package e2e

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/render"
)

// eventsWithCount counts, by "object reason message", the Event objects
// whose count reached each value: how often the timeline may print that
// event with that count (a restarted kubelet loses its event cache and
// records the same event again as a new object with count 1).
func eventsWithCount(evs []corev1.Event) func(key string, count int32) int {
	counts := map[string][]int32{}
	for _, e := range evs {
		c := max(e.Count, 1)
		if e.Series != nil && e.Series.Count > c {
			c = e.Series.Count
		}
		k := fmt.Sprintf("%s/%s %s %q", strings.ToLower(e.InvolvedObject.Kind), e.InvolvedObject.Name, e.Reason, e.Message)
		counts[k] = append(counts[k], c)
	}
	return func(key string, count int32) int {
		n := 0
		for _, c := range counts[key] {
			if c >= count {
				n++
			}
		}
		return n
	}
}

// checkTimeline counts what the plugin printed: first is how many lines the
// first instance logged; notice, if set, must be said exactly once.
func checkTimeline(t *testing.T, lines []render.JSONLine, kubectlRows []string, evs []corev1.Event, first int, notice string) {
	t.Helper()
	type eventKey struct {
		key   string
		count int32
	}
	count := map[string]int{}
	events := map[eventKey]int{}
	notices := 0
	var ours []string
	for _, j := range lines {
		switch j.Kind {
		case "log":
			count[*j.Line]++
		case "status":
			ours = append(ours, j.Status)
		case "event":
			events[eventKey{fmt.Sprintf("%s %s %q", j.Object, j.Reason, j.Message), j.Count}]++
		case "notice":
			if notice != "" && strings.Contains(j.Message, notice) {
				notices++
			}
		}
	}
	want := 0
	for run, n := range []int{first, secondRun} {
		for i := 1; i <= n; i++ {
			want++
			if l := fmt.Sprintf("run %d tick %d", run+1, i); count[l] != 1 {
				t.Errorf("%q printed %d times", l, count[l])
			}
		}
	}
	if len(count) != want {
		t.Errorf("printed %d distinct lines, want %d", len(count), want)
	}
	allowed := eventsWithCount(evs)
	for e, n := range events {
		if a := allowed(e.key, e.count); n > max(a, 1) {
			t.Errorf("event printed %d times with count %d, but %d Event objects reached that count: %s", n, e.count, a, e.key)
		}
	}
	var theirs []string
	for _, row := range kubectlRows {
		// a pod row: NAME READY STATUS RESTARTS AGE (kubectl's own messages are not rows)
		if f := strings.Fields(row); len(f) >= 5 && readyCell.MatchString(f[1]) {
			theirs = append(theirs, f[2])
		} else {
			t.Logf("kubectl get pods -w printed a line that is not a row: %q", row)
		}
	}
	if !isSubsequence(dedupe(theirs), dedupe(ours)) {
		t.Errorf("a STATUS kubectl get pods -w showed is missing or out of order:\n plugin  %v\n kubectl %v", dedupe(ours), dedupe(theirs))
	}
	for i := 1; i < len(ours); i++ {
		// Running may follow Running: READY changes while STATUS stays.
		if ours[i] == ours[i-1] && ours[i] != "Running" {
			t.Errorf("transition %s printed twice in a row: %v", ours[i], ours)
		}
	}
	if len(ours) == 0 || ours[len(ours)-1] != "Running" {
		t.Errorf("statuses = %v, want to end Running", ours)
	}
	if notice != "" && notices != 1 {
		t.Errorf("notice %q said %d times, want once", notice, notices)
	}
	t.Logf("%d log lines, %d statuses (%v), %d distinct events", want, len(ours), dedupe(ours), len(events))
}

var readyCell = regexp.MustCompile(`^[0-9]+/[0-9]+$`)

// isSubsequence reports whether sub appears in seq in order.
func isSubsequence(sub, seq []string) bool {
	i := 0
	for _, s := range seq {
		if i < len(sub) && sub[i] == s {
			i++
		}
	}
	return i == len(sub)
}
