package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const recording = `{"time":"2026-11-27T12:00:00Z","kind":"status","namespace":"ns","pod":"webapp-7cc6d9f8b-x2x9q","status":"Init:0/1","ready":"0/1","restarts":0,"podReady":false}
{"time":"2026-11-27T12:00:01Z","kind":"log","namespace":"ns","pod":"webapp-7cc6d9f8b-x2x9q","container":"check-db-ready","containerID":"containerd://a","init":true,"line":"postgres:5432 - no response"}
{"time":"2026-11-27T12:00:30Z","kind":"status","namespace":"ns","pod":"webapp-7cc6d9f8b-x2x9q","status":"Running","ready":"1/1","restarts":0,"podReady":true}
{"time":"2026-11-27T12:00:40Z","kind":"summary","namespace":"ns","pods":[{"pod":"webapp-7cc6d9f8b-x2x9q","namespace":"ns","status":"Running","ready":true,"restarts":0,"inStatus":[{"status":"Init:0/1","seconds":30},{"status":"Running","seconds":10}]}]}
`

// runReport runs `kubectl initwait report` with args as a user would.
func runReport(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	streams, in, out, errOut := genericiooptions.NewTestIOStreams()
	in.WriteString(stdin)
	root := NewRootCmd(streams)
	root.SetArgs(append([]string{"report"}, args...))
	err = Execute(root, streams)
	return out.String(), errOut.String(), err
}

func TestReportDrawsARecording(t *testing.T) {
	dir := t.TempDir()
	rec, html := filepath.Join(dir, "watch.jsonl"), filepath.Join(dir, "watch.html")
	if err := os.WriteFile(rec, []byte(recording), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := runReport(t, "", rec, "--html", html); err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	b, err := os.ReadFile(html)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"kubectl initwait timeline in namespace ns", `data-status="Init:0/1"`,
		"Init:0/1 30s, Running 10s", "1.0 s check-db-ready | postgres:5432 - no response", "webapp Ready 30.0 s"} {
		if !strings.Contains(page, want) {
			t.Errorf("chart lacks %q", want)
		}
	}
	// From standard input, to standard output.
	out, _, err := runReport(t, recording, "-", "--html", "-")
	if err != nil || !strings.HasPrefix(out, "<!DOCTYPE html>") {
		t.Errorf("report - --html -: %v\n%.80s", err, out)
	}
}

func TestReportBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	lines := strings.SplitN(recording, "\n", 3)
	if err := os.WriteFile(bad, []byte(lines[0]+"\n"+lines[1]+"\n"+"12:00:02.000 status webapp  Running\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.jsonl")
	if err := os.WriteFile(notes, []byte(`{"time":"2026-11-27T12:00:00Z","kind":"notice","namespace":"ns","message":"no pods match yet"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	html := filepath.Join(dir, "out.html")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad line", []string{bad, "--html", html}, "error: " + bad + ": line 3: not a JSON line of kubectl initwait: invalid character ':' after top-level value\n"},
		{"no file", []string{filepath.Join(dir, "none.jsonl"), "--html", html}, "error: reading the recording: open " + filepath.Join(dir, "none.jsonl") + ": no such file or directory\n"},
		{"no --html", []string{bad}, "error: --html OUT is required: the file to write the chart to\n"},
		{"over the recording", []string{bad, "--html", bad}, "error: --html " + bad + " would overwrite the recording\n"},
		{"no folder", []string{"-", "--html", filepath.Join(dir, "no", "x.html")}, "error: writing the chart: open " + filepath.Join(dir, "no") + "/"},
		{"no argument", []string{"--html", html}, "error: accepts 1 arg(s), received 0\n"},
		{"no pods", []string{notes, "--html", html}, "error: " + notes + ": no pod STATUS line in it: nothing to draw\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runReport(t, recording, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(stderr, tt.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("stderr %q stdout %q, want %q", stderr, stdout, tt.want)
			}
			if _, err := os.Stat(html); err == nil {
				t.Errorf("a failed report left %s", html)
			}
		})
	}
}

func TestWatchRecordValidate(t *testing.T) {
	tests := []struct{ record, err string }{
		{"", ""},
		{filepath.Join(t.TempDir(), "rec.jsonl"), ""},
		{"/nonexistent/rec.jsonl", "invalid --record /nonexistent/rec.jsonl: no folder /nonexistent"},
		{"-", "invalid --record -: name a file"},
	}
	for _, tt := range tests {
		o := NewWatchOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
		o.Target, o.Record = "webapp", tt.record
		err := o.Validate()
		if (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("--record %q: error = %v, want %q", tt.record, err, tt.err)
		}
	}
}
