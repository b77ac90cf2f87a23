package render

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kubectl-initwait/kubectl-initwait/plugin/timeline"
)

func TestShorten(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"webapp-5b79f89647-zzk5s", 23, "webapp-5b79f89647-zzk5s"},
		{"webapp-5b79f89647-zzk5s", 30, "webapp-5b79f89647-zzk5s"},
		{"webapp-5b79f89647-zzk5s", 17, "webapp-5…47-zzk5s"},
		{"webapp-5b79f89647-zzk5s", 2, "…s"},
		{"webapp-5b79f89647-zzk5s", 1, "…"},
		// Runes, not bytes: nothing is cut in two.
		{"wébapp-ünïcode-pod", 9, "wéba…-pod"},
		{"日本語のポッド名です", 5, "日本…です"},
	}
	for _, tt := range tests {
		got := shorten(tt.in, tt.width)
		if got != tt.want || !utf8.ValidString(got) || utf8.RuneCountInString(got) > tt.width {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

func status(pod, st string) timeline.Entry {
	return timeline.Entry{Time: at, Kind: timeline.KindStatus, Pod: pod,
		Status: &timeline.StatusInfo{Status: st, Ready: "0/1", RestartsText: "0"}}
}

func event(pod, object string) timeline.Entry {
	return timeline.Entry{Time: at, Kind: timeline.KindEvent, Pod: pod,
		Event: &timeline.EventInfo{Type: "Normal", Reason: "Created", Message: "m", Count: 1, Object: object}}
}

func logLine(pod string) timeline.Entry {
	return timeline.Entry{Time: at, Kind: timeline.KindLog, Pod: pod, Log: &timeline.LogInfo{Container: "check", Line: "waiting"}}
}

// The pod column keeps one width for the whole stream: late pods, longer
// names and owners' events never move what follows it.
func TestTextColumnsStayPut(t *testing.T) {
	long := strings.Repeat("x", 60) + "-tail1"
	tests := []struct {
		name    string
		columns timeline.Columns
		entries []timeline.Entry
		// width is the column's; cells are the pod cells, trimmed, by line.
		width int
		cells []string
	}{
		{"a Deployment scaled up: its new pods fit the pattern's width", timeline.Columns{Pod: 23},
			[]timeline.Entry{status("webapp-5b79f89647-zzk5s", "Running"), event("", "replicaset/webapp-5b79f89647"),
				status("webapp-5b79f89647-a1b2c", "Pending"), logLine("webapp-5b79f89647-a1b2c"), event("", "deployment/webapp")},
			23, []string{"webapp-5b79f89647-zzk5s", "rs/webapp-5b79f89647", "webapp-5b79f89647-a1b2c", "webapp-5b79f89647-a1b2c", "deploy/webapp"}},
		{"a longer pod arrives late: shortened in the middle", timeline.Columns{Pod: 12},
			[]timeline.Entry{status("web-5d8-abcde", "Running"), status("web-with-a-much-longer-name-7f9c-xyz12", "Pending"),
				logLine("web-with-a-much-longer-name-7f9c-xyz12"), event("", "deployment/web-with-a-much-longer-name")},
			12, []string{"web-5…-abcde", "web-w…-xyz12", "web-w…-xyz12", "deplo…r-name"}},
		{"no width known: the first name's, kept", timeline.Columns{},
			[]timeline.Entry{status("db-0", "Running"), status("db-10", "Pending"), status("a", "Pending")},
			4, []string{"db-0", "d…10", "a"}},
		{"a name wider than the cap is cut to it", timeline.Columns{Pod: 100},
			[]timeline.Entry{status(long, "Running"), status("short", "Running")},
			maxPodColumn, []string{strings.Repeat("x", 23) + "…" + strings.Repeat("x", 18) + "-tail1", "short"}},
	}
	const prefix = len("12:04:05.120 status ")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			r := NewText(&b, false)
			r.SetColumns(tt.columns)
			for i, e := range tt.entries {
				if err := r.Emit(e); err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					r.SetColumns(timeline.Columns{Pod: 3}) // too late: the width is fixed
				}
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(lines) != len(tt.cells) {
				t.Fatalf("%d lines:\n%s", len(lines), b.String())
			}
			for i, l := range lines {
				runes := []rune(l)
				cell := string(runes[prefix : prefix+tt.width])
				after := string(runes[prefix+tt.width:])
				if strings.TrimRight(cell, " ") != tt.cells[i] || !strings.HasPrefix(after, "  ") || after[2] == ' ' {
					t.Errorf("line %d: pod cell %q then %q; want %q in %d runes, then two spaces\n%s", i, cell, after, tt.cells[i], tt.width, b.String())
				}
			}
		})
	}
}
