package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/record"
	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func TestWatchValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*WatchOptions)
		err  string
	}{
		{"target", func(o *WatchOptions) { o.Target = "webapp" }, ""},
		{"selector", func(o *WatchOptions) { o.Selector = "app=x" }, ""},
		{"neither", func(o *WatchOptions) {}, "give a target"},
		{"both", func(o *WatchOptions) { o.Target, o.Selector = "webapp", "app=x" }, "give a target"},
		{"TYPE NAME", func(o *WatchOptions) { o.Target, o.TargetName = "deployment", "webapp" }, ""},
		{"TYPE NAME and -l", func(o *WatchOptions) { o.Target, o.TargetName, o.Selector = "deployment", "webapp", "app=x" }, "not both"},
		{"no NAME", func(o *WatchOptions) { o.Target = "deploy/" }, `invalid target "deploy/"`},
		{"NAME with /", func(o *WatchOptions) { o.Target = "a/b/c" }, `invalid target "a/b/c"`},
		{"bad until", func(o *WatchOptions) { o.Target, o.Until = "webapp", "forever" }, "invalid --until"},
		{"negative timeout", func(o *WatchOptions) { o.Target, o.Timeout = "webapp", -time.Second }, "must not be negative"},
		{"bad output", func(o *WatchOptions) { o.Target, o.Output = "webapp", "yaml" }, `--output must be one of: text, json (got "yaml")`},
		{"debug addr", func(o *WatchOptions) { o.Target, o.DebugAddr = "webapp", "127.0.0.1:6060" }, ""},
		{"bad debug addr", func(o *WatchOptions) { o.Target, o.DebugAddr = "webapp", "6060" }, `invalid --debug-addr "6060": want HOST:PORT`},
		{"bad color", func(o *WatchOptions) { o.Target, o.Color = "webapp", "rainbow" }, `--color must be one of: auto, always, never (got "rainbow")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewWatchOptions(genericclioptions.NewConfigFlags(false), genericiooptions.NewTestIOStreamsDiscard())
			tt.mod(o)
			err := o.Validate()
			if tt.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

func TestWatchUnreachableClusterIsOneLine(t *testing.T) {
	streams, _, _, errOut := genericiooptions.NewTestIOStreams()
	root := NewRootCmd(streams)
	root.SetArgs([]string{"watch", "webapp", "--server", "https://127.0.0.1:1", "--insecure-skip-tls-verify", "-n", "x"})
	if err := Execute(root, streams); err == nil {
		t.Fatal("watch against a closed port succeeded")
	}
	got := errOut.String()
	if !strings.HasPrefix(got, "error: ") || strings.Count(got, "\n") != 1 || !strings.Contains(got, "127.0.0.1:1") {
		t.Fatalf("stderr = %q, want one error: line naming the server", got)
	}
}

// TestNewSinkIsColumnar: the text output, with its bars and behind a
// recording, still takes the stream's fixed columns.
func TestNewSinkIsColumnar(t *testing.T) {
	var out bytes.Buffer
	s := newSink("text", "never", &out, func(string) string { return "" })
	if timeline.ColumnarOf(s) == nil {
		t.Fatal("the text sink (with bars) is not Columnar")
	}
	rec := record.NewRecorder(&bytes.Buffer{}, "rec", "ns", s)
	if timeline.ColumnarOf(rec) == nil {
		t.Fatal("the text sink behind a recording is not Columnar")
	}
	if timeline.ColumnarOf(newSink("json", "never", &out, nil)) != nil {
		t.Fatal("the JSON sink lays out no columns")
	}
}
