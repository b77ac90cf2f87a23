//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/record"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/stack"
)

// okabeIto are three of the chart's fills, as a screenshot shows them.
var okabeIto = map[string][3]uint8{
	"CrashLoopBackOff vermillion": {0xD5, 0x5E, 0x00},
	"Init:N/M yellow":             {0xF0, 0xE4, 0x42},
	"Ready bluish green":          {0x00, 0x9E, 0x73},
}

// TestCompareChart runs compare with --html (the database 25 s late: two back-offs of the naive
// webapp, 10 s and 20 s, fit before it answers) while a
// watch of the same pods records the timeline with --record, opens both
// charts (compare's, and report's of the recording) in headless Chromium
// and checks what a reader sees: no console error and no request, one lane
// per pod, the naive webapp's CrashLoopBackOff spans and the init variant's
// one Init:0/1 span followed by Running, in the DOM and in the screenshot.
// The screenshot is kept in .cache/compare.png (INITWAIT_UPDATE_DOCS=1: also
// docs/compare.png, the README's picture), the text output in .cache/compare.txt.
func TestCompareChart(t *testing.T) {
	t.Parallel()
	ns := newNamespace(t, "chart")
	dir := t.TempDir()
	html, recFile, watchHTML := filepath.Join(dir, "compare.html"), filepath.Join(dir, "watch.jsonl"), filepath.Join(dir, "watch.html")
	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Minute)
	defer cancel()
	watch, watchOut, watchErr := startPlugin(t, ctx, "watch", "-n", ns, "-l", stack.LabelPartOf+"="+stack.PartOf,
		"--record", recFile, "--timeout", "8m")
	cmp, cmpOut, cmpErr := startPlugin(t, ctx, "compare", "-n", ns, "--keep", "--db-delay", "25s", "--timeout", "8m", "--html", html)
	if err := cmp.Wait(); err != nil {
		t.Fatalf("compare: %v\n%s", err, cmpErr)
	}
	time.Sleep(2 * time.Second) // the watch sees the last transitions too
	_ = watch.Process.Signal(os.Interrupt)
	if err := watch.Wait(); err != nil {
		t.Fatalf("watch --record: %v\n%s", err, watchErr)
	}
	text := strings.Join(cmpOut.snapshot(), "\n")
	_ = os.MkdirAll(filepath.Join(repoRoot, ".cache"), 0o755)
	writeFile(t, filepath.Join(repoRoot, ".cache", "compare.txt"), []byte(text+"\n"))

	pods, err := clientset.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range pods.Items {
		want = append(want, p.Name)
	}
	sort.Strings(want)

	// The terminal: one bar per pod after the report, in letters without colour.
	for _, p := range want {
		if !regexpBar(text, p) {
			t.Errorf("compare's output has no bar for %s:\n%s", p, text)
		}
	}
	if !strings.Contains(text, "C CrashLoopBackOff") || !strings.Contains(text, "I Init:N/M") {
		t.Errorf("no legend of the bars:\n%s", text)
	}

	lanes, shot := openChart(t, html)
	checkLanes(t, "compare --html", lanes, want)
	checkScreenshot(t, shot, okabeIto)
	writeFile(t, filepath.Join(repoRoot, ".cache", "compare.png"), shot)
	if os.Getenv("INITWAIT_UPDATE_DOCS") != "" {
		_ = os.MkdirAll(filepath.Join(repoRoot, "docs"), 0o755)
		writeFile(t, filepath.Join(repoRoot, "docs", "compare.png"), shot)
	}

	// The recording: the JSON lines of -o json, the summary last, while the text went on.
	f, err := os.Open(recFile)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := record.Read(f)
	f.Close()
	if err != nil {
		t.Fatalf("reading the recording: %v", err)
	}
	if len(rec.Summary) != len(want) || rec.Namespace != ns {
		t.Errorf("recording's summary has %d pods, want %d (namespace %q)", len(rec.Summary), len(want), rec.Namespace)
	}
	watchText := strings.Join(watchOut.snapshot(), "\n")
	if !strings.Contains(watchText, "summary") || !strings.Contains(watchText, "CrashLoopBackOff") || !regexpBar(watchText, want[0]) {
		t.Errorf("the watch's own output did not go on beside the recording:\n%s", watchText)
	}
	out, err := exec.CommandContext(ctx, pluginBin, "report", recFile, "--html", watchHTML).CombinedOutput()
	if err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	lanes, shot = openChart(t, watchHTML)
	checkLanes(t, "report of watch --record", lanes, want)
	checkScreenshot(t, shot, okabeIto)
}

// regexpBar reports whether text has a bar line for pod: its name, " |",
// status letters and a closing "|".
func regexpBar(text, pod string) bool {
	for _, l := range strings.Split(text, "\n") {
		rest, ok := strings.CutPrefix(l, pod)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " ")
		if strings.HasPrefix(rest, "|") && strings.HasSuffix(rest, "|") && strings.Trim(rest, "| PIrRECD?") == "" {
			return true
		}
	}
	return false
}

func checkLanes(t *testing.T, what string, lanes []chartLane, pods []string) {
	t.Helper()
	var got []string
	byGroup := map[string]chartLane{}
	for _, l := range lanes {
		got = append(got, l.Pod)
		byGroup[l.Group] = l
	}
	sort.Strings(got)
	if !slices.Equal(got, pods) {
		t.Errorf("%s: lanes %v, want one per pod %v", what, got, pods)
	}
	naive := byGroup["webapp-naive"]
	if n := count(naive.Statuses, "CrashLoopBackOff"); n < 2 {
		t.Errorf("%s: the naive lane has %d CrashLoopBackOff segments, want 2 or more: %v", what, n, naive.Statuses)
	}
	init := byGroup["webapp"]
	i := slices.Index(init.Statuses, "Init:0/1")
	if count(init.Statuses, "Init:0/1") != 1 || i < 0 || !slices.Contains(init.Statuses[i+1:], "Running") ||
		count(init.Statuses, "CrashLoopBackOff")+count(init.Statuses, "Error") != 0 {
		t.Errorf("%s: the init lane is not one Init:0/1 segment followed by Running: %v", what, init.Statuses)
	}
	t.Logf("%s: naive %v; init %v", what, naive.Statuses, init.Statuses)
}

func count(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}
