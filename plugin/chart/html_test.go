package chart

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/compare"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func writePage(t *testing.T, d Document) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	if path := os.Getenv("CHART_OUT"); path != "" { // to look at it: CHART_OUT=/tmp/x.html go test -run TestWriteCompare
		_ = os.WriteFile(path, b.Bytes(), 0o644)
	}
	return b.String()
}

func TestWriteCompareRun(t *testing.T) {
	entries := compareRun()
	ready := 3.0
	rep := &compare.Report{Namespace: "ns", Variants: []compare.Measure{
		{Variant: "webapp", Pods: 1, InInitSeconds: 64, ReadyAfterDBSeconds: &ready, Ready: true},
		{Variant: "webapp-naive", Pods: 1, Restarts: 3, InCrashSeconds: 70, BackOffSeconds: 40},
	}}
	d := FromTimeline("kubectl initwait compare in namespace ns", entries, at(90), nil, rep)
	html := writePage(t, d)
	for _, want := range []string{
		`<g class="group" data-group="webapp">`, `<g class="group" data-group="webapp-naive">`,
		`<g class="lane" data-pod="webapp-7cc6d9f8b-x2x9q">`,
		`data-status="Init:0/1"`, `data-status="CrashLoopBackOff"`, `class="dbready"`,
		`<title>restart 3 at 78.0 s, after a back-off of 40.0 s</title>`,
		`<td>webapp-naive</td><td class="num">3</td><td class="num">1m10s</td>`,
		`<table id="pods">`,
		"1.0 s check-db-ready | postgres:5432 - no response",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if n := strings.Count(html, `<g class="lane"`); n != 3 {
		t.Errorf("%d lanes, want 3", n)
	}
	if n := strings.Count(html, `data-status="CrashLoopBackOff"`); n != 3 {
		t.Errorf("%d CrashLoopBackOff segments, want 3", n)
	}
}

// The page loads nothing: no script, no URL but the SVG namespace and an
// empty data: icon, and a policy that allows only its own style sheet.
func TestWriteSelfContained(t *testing.T) {
	html := writePage(t, FromTimeline("t", compareRun(), at(90), nil, nil))
	if strings.Contains(strings.ToLower(html), "<script") {
		t.Error("page has a script")
	}
	urls := regexp.MustCompile(`(?i)(src|href|url)\s*[=(]\s*["']?([^"' )>]*)`).FindAllStringSubmatch(html, -1)
	for _, u := range urls {
		if u[2] != "data:," {
			t.Errorf("page refers to %q", u[0])
		}
	}
	if n := strings.Count(html, "http://") + strings.Count(html, "https://"); n != 1 || !strings.Contains(html, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("page names %d http URLs", n)
	}
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(html)
	sum := sha256.Sum256([]byte(style[1]))
	hash := "&#39;sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "&#39;"
	if !strings.Contains(html, `content="default-src &#39;none&#39;; style-src `+hash) {
		t.Errorf("no policy with the style sheet's hash %s", hash)
	}
	if strings.Contains(html, ` style="`) {
		t.Error("an inline style attribute would break the policy")
	}
}

func TestWriteEscapes(t *testing.T) {
	const nasty = `web<app>&"q'-1`
	r := &run{}
	r.status(0, nasty, `Init:<0/1>`, 0, false, 0).log(1, nasty, `c&<b>`, `</title><script>alert("x")</script>`)
	r.event(2, nasty, "Warning", `R&D`, `message "quoted" <here>`).status(3, nasty, "Running", 0, true, 0)
	d := FromTimeline(`title <i>&`, r.entries, at(5), nil, nil)
	html := writePage(t, d)
	for _, raw := range []string{"<app>", "<script", "<b>", "<here>", "<i>", "<0/1>", `"q'`} {
		if strings.Contains(html, raw) {
			t.Errorf("page has %s unescaped", raw)
		}
	}
	for _, esc := range []string{"web&lt;app&gt;&amp;&#34;q&#39;-1", "&lt;/title&gt;&lt;script&gt;", "R&amp;D", "title &lt;i&gt;&amp;"} {
		if !strings.Contains(html, esc) {
			t.Errorf("page lacks %s", esc)
		}
	}
}

func TestWriteFiveHundredPods(t *testing.T) {
	html := writePage(t, FromTimeline("", manyPods(500), at(0), []timeline.PodSummary{}, nil))
	if n := strings.Count(html, `<g class="lane"`); n != 500 {
		t.Errorf("%d lanes", n)
	}
	if len(html) > 1<<20 {
		t.Errorf("page of 500 pods is %d bytes", len(html))
	}
}
